"use strict";
// Live wallboard: one WebSocket, a full snapshot then patches; reconnects by itself.
const $ = (id) => document.getElementById(id);
const board = {queues: [], agents: {}, complaints: null, chart: null, alerts: [], thresholds: {}, version: -1};
const rows = new Map();  // agent id -> <tr>
let offset = 0;          // server clock minus ours, seconds
let csrf = "";
let backoff = 500;
let supervisor = false;  // only supervisors see who monitors whom
window.__wallboard = {version: -1, messages: 0, connected: false};

function now() { return Date.now() / 1000 + offset; }
function pct(v) { return v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`; }
function secs(v) { return v === null || v === undefined ? "–" : `${Math.round(v)} s`; }
function clock(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
  return (h ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(r).padStart(2, "0")}`;
}
function level(value, amber, red, higherIsWorse) {
  if (value === null || value === undefined) return "ok";
  if (higherIsWorse) return value >= red ? "red" : value >= amber ? "amber" : "ok";
  return value < red ? "red" : value < amber ? "amber" : "ok";
}

function apply(message) {
  offset = message.at - Date.now() / 1000;
  if (message.type === "snapshot") {
    Object.assign(board, message);
    rows.clear(); $("agents").tBodies[0].innerHTML = "";
    renderAgents(Object.keys(board.agents));
  } else {
    if (message.queues) board.queues = message.queues;
    for (const key of ["complaints", "chart", "alerts"]) if (message[key] !== undefined) board[key] = message[key];
    if (message.agents) {
      for (const [id, row] of Object.entries(message.agents)) {
        if (row === null) { delete board.agents[id]; rows.get(id)?.remove(); rows.delete(id); }
        else board.agents[id] = row;
      }
      renderAgents(Object.keys(message.agents).filter((id) => board.agents[id]));
    }
  }
  board.version = message.version;
  window.__wallboard.version = message.version;
  window.__wallboard.messages += 1;
  window.__wallboard.lastChangedAt = message.changed_at;
  renderQueues(); renderComplaints(); renderAlerts(); renderCharts();
  if (message.type === "snapshot" || message.agents) refreshMonitors();
}

function renderQueues() {
  const t = board.thresholds, box = $("queues");
  box.innerHTML = "";
  for (const q of board.queues) {
    const wait = q.oldest_since ? now() - q.oldest_since : 0;
    const lv = {...q.levels, longest_wait: level(wait, t.longest_wait_amber, t.longest_wait_red, true)};
    const worst = Object.values(lv).includes("red") ? "red" : Object.values(lv).includes("amber") ? "amber" : "ok";
    const agents = Object.entries(q.agents).map(([s, n]) => `${n} ${s.replace("_", " ")}`).join(", ") || "nobody logged in";
    const tile = document.createElement("article");
    tile.className = `tile ${worst}`;
    tile.dataset.queue = q.name;
    tile.innerHTML = `<h3>${q.name}</h3><dl>
      <dt>Waiting</dt><dd class="big ${lv.waiting}" data-field="waiting">${q.waiting}</dd>
      <dt>Longest wait</dt><dd class="${lv.longest_wait}" data-field="longest_wait" data-since="${q.oldest_since ?? ""}">${clock(wait)}</dd>
      <dt>SL today / 15 min</dt><dd class="${lv.service_level}" data-field="sl">${pct(q.sl_today)} / ${pct(q.sl_15min)}</dd>
      <dt>ASA · AHT</dt><dd>${secs(q.asa)} · ${secs(q.aht)}</dd>
      <dt>Abandoned</dt><dd class="${lv.abandon_rate}">${pct(q.abandon_rate)} (${q.abandoned})</dd>
      <dt>Offered · answered</dt><dd data-field="offered">${q.offered} · ${q.answered}</dd>
      <dt>Agents</dt><dd>${agents}</dd></dl>`;
    box.appendChild(tile);
  }
}

function agentCells(a) {
  const caller = a.caller ? `${a.customer ? a.customer + " " : ""}${a.caller}` : "";
  const queues = Object.entries(a.queues).map(([q, p]) => (p ? `${q}(${p})` : q)).join(" ");
  const state = a.state.replace("_", " ") + (a.reason ? ` (${a.reason})` : "");
  return [a.name ? `${a.id} ${a.name}` : a.id, state, clock(now() - a.since), String(a.calls), caller, queues];
}

function renderAgents(ids) {
  const tbody = $("agents").tBodies[0];
  for (const id of ids) {
    const a = board.agents[id];
    let tr = rows.get(id);
    if (!tr) {
      tr = tbody.insertRow(); tr.dataset.agent = id; rows.set(id, tr);
      for (let i = 0; i < 6; i++) tr.insertCell();
      const actions = tr.insertCell();
      actions.innerHTML = `<span class="monitor"></span> <button data-act="pause">Pause</button> <button data-act="unpause">Unpause</button> <button data-act="logout">Log out</button> <button data-act="queues">Queues…</button> <button data-act="monitor">Monitor…</button>`;
    }
    agentCells(a).forEach((text, i) => { tr.cells[i].textContent = text; });
    tr.cells[1].className = `state ${a.state}`;
    tr.cells[2].className = "since";
  }
  $("agent-count").textContent = `(${Object.keys(board.agents).length})`;
}

function renderComplaints() {
  const c = board.complaints; if (!c) return;
  const tbody = $("complaints").tBodies[0]; tbody.innerHTML = "";
  for (const severity of Object.keys(c.open)) {
    const tr = tbody.insertRow(); tr.dataset.severity = severity;
    tr.insertCell().textContent = severity;
    tr.insertCell().textContent = c.open[severity];
    const late = tr.insertCell(); late.textContent = c.overdue[severity];
    if (c.overdue[severity]) late.className = "overdue";
  }
}

function renderAlerts() {
  const box = $("alerts"); box.innerHTML = "";
  for (const a of (board.alerts || []).slice(0, 3)) {
    const p = document.createElement("p");
    p.className = `alert ${a.level}`;
    p.textContent = `${new Date(a.at * 1000).toLocaleTimeString()} ${a.message}`;
    box.appendChild(p);
  }
}

function renderCharts() {
  const c = board.chart; if (!c) return;
  drawBars($("chart-offered"), c.offered, "#58a6ff");
  drawLine($("chart-sl"), c.service_level, board.thresholds.service_level_amber);
}

function axes(ctx, w, h) {
  ctx.clearRect(0, 0, w, h); ctx.fillStyle = "#8b98a8"; ctx.font = "10px sans-serif";
  for (let hour = 0; hour <= 24; hour += 3) ctx.fillText(String(hour), (hour / 24) * (w - 20) + 2, h - 2);
}

function drawBars(canvas, values, colour) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  axes(ctx, w, h);
  const top = Math.max(1, ...values), bw = (w - 20) / values.length;
  ctx.fillStyle = colour;
  values.forEach((v, i) => { const bh = (v / top) * (h - 24); ctx.fillRect(i * bw + 2, h - 14 - bh, Math.max(1, bw - 1), bh); });
  ctx.fillStyle = "#8b98a8"; ctx.fillText(`max ${top}`, w - 60, 10);
}

function drawLine(canvas, values, target) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  axes(ctx, w, h);
  const y = (v) => h - 14 - v * (h - 24), bw = (w - 20) / values.length;
  ctx.strokeStyle = "#d29922"; ctx.setLineDash([4, 4]); ctx.beginPath(); ctx.moveTo(2, y(target)); ctx.lineTo(w, y(target)); ctx.stroke();
  ctx.setLineDash([]); ctx.strokeStyle = "#2ea043"; ctx.lineWidth = 2; ctx.beginPath();
  let started = false;
  values.forEach((v, i) => {
    if (v === null) return;
    const x = i * bw + bw / 2 + 2;
    if (started) ctx.lineTo(x, y(v)); else { ctx.moveTo(x, y(v)); started = true; }
  });
  ctx.stroke();
}

function tick() {
  for (const tr of rows.values()) {
    const a = board.agents[tr.dataset.agent];
    if (a) tr.cells[2].textContent = clock(now() - a.since);
  }
  const t = board.thresholds;
  for (const dd of document.querySelectorAll('dd[data-field="longest_wait"]')) {
    const since = parseFloat(dd.dataset.since), wait = since ? now() - since : 0;
    dd.textContent = clock(wait);
    dd.className = level(wait, t.longest_wait_amber, t.longest_wait_red, true);
  }
}

function setStatus(state, text) { const s = $("status"); s.dataset.state = state; s.textContent = text; }

async function checkSession() {
  const response = await fetch("/api/v1/session", {credentials: "same-origin"});
  if (response.status === 401) { window.location.assign("/login"); return false; }
  const me = await response.json();
  csrf = me.csrf_token; $("who").textContent = `${me.name} (${me.role})`;
  supervisor = me.role === "supervisor";
  return true;
}

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onopen = () => { backoff = 500; window.__wallboard.connected = true; setStatus("live", "live"); };
  ws.onmessage = (event) => apply(JSON.parse(event.data));
  ws.onclose = async () => {
    window.__wallboard.connected = false;
    setStatus("reconnecting", "reconnecting…");
    try { if (!(await checkSession())) return; } catch (exc) { /* server down: retry */ }
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 10000);
  };
}

function toast(text) {
  const t = $("toast"); t.textContent = text; t.classList.add("show");
  clearTimeout(toast.timer); toast.timer = setTimeout(() => t.classList.remove("show"), 4000);
}

async function act(method, path, body) {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  toast(response.ok ? (answer.message || `${answer.action} done for agent ${answer.agent_id}`) : answer.error.message);
  if (path.endsWith("/monitor")) refreshMonitors(true);
}

function refreshMonitors(now) {
  // Who listens to, whispers to or barges into whom: at most one request a second.
  if (!supervisor) return;
  const wait = now ? 0 : Math.max(0, 1000 - (Date.now() - (refreshMonitors.last || 0)));
  clearTimeout(refreshMonitors.timer);
  refreshMonitors.timer = setTimeout(loadMonitors, wait);
}

async function loadMonitors() {
  refreshMonitors.last = Date.now();
  const response = await fetch("/api/v1/monitors", {credentials: "same-origin"});
  if (!response.ok) return;
  const monitors = await response.json();
  for (const tr of rows.values()) {
    const mine = monitors.filter((m) => m.agent_id === tr.dataset.agent);
    tr.querySelector("span.monitor").textContent =
      mine.map((m) => `🎧 ${m.supervisor} (${m.started ? m.mode : "ringing"})`).join(" ");
  }
}

function openMonitor(id) {
  // Listen / whisper / barge on the supervisor's phone; the phone typed last is kept.
  $("md-agent").textContent = id;
  const phone = $("md-phone"); phone.value = localStorage.getItem("monitorPhone") || "";
  const dialog = $("monitor-dialog");
  dialog.onclose = () => {
    const path = `/api/v1/agents/${encodeURIComponent(id)}/monitor`;
    if (phone.value) localStorage.setItem("monitorPhone", phone.value); else localStorage.removeItem("monitorPhone");
    const mode = dialog.querySelector("input[name=mode]:checked").value;
    if (dialog.returnValue === "start") act("POST", path, phone.value ? {mode, extension: phone.value} : {mode});
    if (dialog.returnValue === "stop") act("DELETE", path);
  };
  dialog.showModal();
}

function openQueues(id) {
  const select = $("qd-queue"); select.innerHTML = "";
  for (const q of board.queues) select.add(new Option(q.name, q.name));
  $("qd-agent").textContent = id;
  const dialog = $("queue-dialog");
  dialog.onclose = () => {
    const path = `/api/v1/agents/${encodeURIComponent(id)}/queues/${encodeURIComponent(select.value)}`;
    if (dialog.returnValue === "put") act("PUT", path, {penalty: Number($("qd-penalty").value)});
    if (dialog.returnValue === "delete") act("DELETE", path);
  };
  dialog.showModal();
}

$("agents").addEventListener("click", (event) => {
  const button = event.target.closest("button"); if (!button) return;
  const id = button.closest("tr").dataset.agent, base = `/api/v1/agents/${encodeURIComponent(id)}`;
  switch (button.dataset.act) {
    case "pause": { const reason = window.prompt(`Pause ${id}: reason`, "coaching"); if (reason) act("POST", `${base}/pause`, {reason}); break; }
    case "unpause": act("POST", `${base}/unpause`); break;
    case "logout": if (window.confirm(`Log ${id} out?`)) act("POST", `${base}/logout`); break;
    case "queues": openQueues(id); break;
    case "monitor": openMonitor(id); break;
  }
});
$("logout").addEventListener("click", async () => {
  await fetch("/api/v1/session", {method: "DELETE", credentials: "same-origin", headers: {"X-CSRF-Token": csrf}});
  window.location.assign("/login");
});

checkSession().then((ok) => { if (ok) connect(); });
setInterval(tick, 1000);
