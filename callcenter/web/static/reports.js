"use strict";
const $ = (id) => document.getElementById(id);
const today = new Date().toISOString().slice(0, 10);
$("r-from").value = today;
$("r-to").value = today;

function query(format) {
  const kind = $("r-kind").value;
  const params = new URLSearchParams({from: $("r-from").value, to: $("r-to").value, format});
  if (kind === "calls") { params.set("by", $("r-by").value); params.set("interval", $("r-interval").value); }
  return `/api/v1/reports/${kind}?${params}`;
}

function cell(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(value < 1.5 ? 3 : 1);
  return String(value);
}

async function show(event) {
  if (event) event.preventDefault();
  $("r-error").textContent = "";
  $("r-csv").href = query("csv");
  const response = await fetch(query("json"), {credentials: "same-origin"});
  const body = await response.json();
  if (!response.ok) { $("r-error").textContent = body.error.message; return; }
  const rows = body.rows;
  const head = $("report").tHead, tbody = $("report").tBodies[0];
  head.innerHTML = ""; tbody.innerHTML = "";
  if (!rows.length) { tbody.innerHTML = "<tr><td>No data for this period.</td></tr>"; return; }
  const tr = head.insertRow();
  for (const key of Object.keys(rows[0])) { const th = document.createElement("th"); th.textContent = key; tr.appendChild(th); }
  for (const row of rows) {
    const line = tbody.insertRow();
    for (const value of Object.values(row)) line.insertCell().textContent = cell(value);
  }
}
$("report-form").addEventListener("submit", show);
for (const id of ["r-kind", "r-from", "r-to", "r-by", "r-interval"]) $(id).addEventListener("change", () => { $("r-csv").href = query("csv"); });
$("r-csv").href = query("csv");
show();
