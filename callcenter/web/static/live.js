"use strict";
// Live counts over server-sent events; EventSource reconnects by itself.
const text = (id, value) => { document.getElementById(id).textContent = value; };
function render(s) {
  for (const key of ["offered", "answered", "abandoned", "waiting"]) text(key, s[key]);
  const agents = document.getElementById("agents");
  agents.replaceChildren(...Object.entries(s.agents).sort().map(([state, n]) => {
    const tile = document.createElement("div");
    tile.className = "tile";
    tile.innerHTML = `<div class="label"></div><div class="value"></div>`;
    tile.children[0].textContent = state.replace("_", " ");
    tile.children[1].textContent = n;
    return tile;
  }));
  const body = document.querySelector("#queues tbody");
  body.replaceChildren(...Object.entries(s.queues).sort().map(([name, q]) => {
    const row = document.createElement("tr");
    const sl = q.service_level === null ? "–" : `${Math.round(q.service_level * 100)} %`;
    for (const v of [name, q.waiting, q.longest_wait, q.offered, q.answered, q.abandoned, sl]) {
      const cell = document.createElement("td"); cell.textContent = v; row.appendChild(cell);
    }
    return row;
  }));
}
const link = document.getElementById("link");
const source = new EventSource("/events");
source.onopen = () => { link.textContent = "live"; link.className = "link up"; };
source.onerror = () => { link.textContent = "reconnecting…"; link.className = "link down"; };
source.onmessage = (msg) => render(JSON.parse(msg.data));
