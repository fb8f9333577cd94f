"use strict";
// Supervisors' voicemail: newest first, an <audio> player per message, a "Handled" button.
const $ = (id) => document.getElementById(id);
let csrf = "";

function text(value) { return value === null || value === undefined ? "–" : String(value); }

function when(seconds) { return new Date(seconds * 1000).toLocaleString(); }

async function session() {
  const response = await fetch("/api/v1/session", {credentials: "same-origin"});
  if (response.ok) csrf = (await response.json()).csrf_token;
}

async function handle(message, button) {
  button.disabled = true;
  const response = await fetch(`/api/v1/voicemails/${message.voicemail_id}/handled`, {
    method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token": csrf},
  });
  const body = await response.json();
  if (!response.ok) { $("vm-error").textContent = body.error.message; button.disabled = false; return; }
  show();
}

function row(tbody, message) {
  const line = tbody.insertRow();
  line.dataset.voicemailId = String(message.voicemail_id);
  for (const value of [when(message.recorded_at), message.mailbox || "–", message.number,
                       text(message.queue), `${message.duration_seconds.toFixed(1)} s`]) {
    line.insertCell().textContent = value;
  }
  const audio = document.createElement("audio");
  audio.controls = true; audio.preload = "none"; audio.src = message.audio_url;
  line.insertCell().appendChild(audio);
  const done = line.insertCell();
  if (message.handled) {
    done.textContent = `${message.handled_by}, ${when(message.handled_at)}`;
  } else {
    const button = document.createElement("button");
    button.type = "button"; button.textContent = "Handled"; button.className = "vm-handled";
    button.addEventListener("click", () => handle(message, button));
    done.appendChild(button);
  }
}

async function show(event) {
  if (event) event.preventDefault();
  $("vm-error").textContent = "";
  const params = new URLSearchParams();
  if ($("vm-mailbox").value) params.set("mailbox", $("vm-mailbox").value);
  if ($("vm-handled").value) params.set("handled", $("vm-handled").value);
  const response = await fetch(`/api/v1/voicemails?${params}`, {credentials: "same-origin"});
  const body = await response.json();
  if (!response.ok) { $("vm-error").textContent = body.error.message; return; }
  const tbody = $("voicemails").tBodies[0];
  tbody.innerHTML = "";
  if (!body.length) { tbody.innerHTML = "<tr><td colspan=\"7\">No messages.</td></tr>"; return; }
  for (const message of body) row(tbody, message);
}

$("vm-form").addEventListener("submit", show);
$("vm-handled").addEventListener("change", show);
session().then(show);
