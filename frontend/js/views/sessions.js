// Treatment sessions: the list, and adding one.
import { request } from "../api.js";
import { nowWithOffset } from "../logic.js";
import { enqueue } from "../outbox.js";
import { recall, remember } from "../store.js";

const TREATMENTS = {
  ketamine_iv: "Ketamine IV", ketamine_im: "Ketamine IM", esketamine_nasal: "Esketamine nasal spray",
  ketamine_oral: "Ketamine oral", ketamine_sublingual: "Ketamine sublingual", other: "Other",
};

export async function mountSessions(root) {
  let sessions = (await recall("sessions")) || [];
  try {
    const answer = await request("GET", "/api/v1/sessions?limit=100");
    if (answer.status === 200) {
      sessions = answer.body.items;
      await remember("sessions", sessions);
    }
  } catch {
    // offline: what this device has
  }
  root.innerHTML = `
    <h2>Treatment sessions</h2>
    <form id="session-form" novalidate>
      <div class="row">
        <label>Treatment <select name="treatment">${Object.entries(TREATMENTS).map(([v, l]) =>
          `<option value="${v}">${l}</option>`).join("")}</select></label>
        <label>Dose (mg) <input name="dose_mg" type="number" inputmode="decimal" min="0" step="any"></label>
      </div>
      <label>Clinic <input name="clinic" maxlength="200"></label>
      <button type="submit">Add a session now</button>
    </form>
    <ul id="session-list"></ul>`;
  const list = root.querySelector("#session-list");
  const render = () => {
    list.innerHTML = "";
    for (const s of sessions) {
      const item = document.createElement("li");
      item.textContent = `${s.started_at.slice(0, 16).replace("T", " ")} · ${TREATMENTS[s.treatment] || s.treatment}`
        + (s.dose_mg ? ` · ${s.dose_mg} mg` : "") + (s.clinic ? ` · ${s.clinic}` : "");
      list.appendChild(item);
    }
  };
  render();
  root.querySelector("#session-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const body = { started_at: nowWithOffset(), treatment: data.get("treatment") };
    if (data.get("dose_mg")) body.dose_mg = Number(data.get("dose_mg"));
    if (data.get("clinic")) body.clinic = data.get("clinic");
    const session = { id: crypto.randomUUID(), ...body };
    sessions = [session, ...sessions];
    await remember("sessions", sessions);
    await enqueue(`/api/v1/sessions/${session.id}`, body, "treatment session");
    render();
  });
}
