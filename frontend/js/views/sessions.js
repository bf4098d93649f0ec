// Treatment sessions: the list, and adding one.
import { request } from "../api.js";
import { nowWithOffset } from "../logic.js";
import { enqueue, pending } from "../outbox.js";
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
      // The server's list, plus sessions made here that are still waiting to be sent.
      const waiting = new Set((await pending()).map(([, item]) => item.url));
      const known = new Set(answer.body.items.map((s) => s.id));
      const local = sessions.filter((s) => !known.has(s.id) && waiting.has(`/api/v1/sessions/${s.id}`));
      sessions = [...local, ...answer.body.items];
      await remember("sessions", sessions);
    }
  } catch {
    // offline: what this device has
  }
  root.innerHTML = `
    <h2>Treatment sessions</h2>
    <form id="session-form" novalidate>
      <input type="hidden" name="editing">
      <div class="row">
        <label>Treatment <select name="treatment">${Object.entries(TREATMENTS).map(([v, l]) =>
          `<option value="${v}">${l}</option>`).join("")}</select></label>
        <label>Dose (mg) <input name="dose_mg" type="number" inputmode="decimal" min="0" step="any"></label>
      </div>
      <label>Clinic <input name="clinic" maxlength="200"></label>
      <button type="submit" id="session-submit">Add a session now</button>
    </form>
    <ul id="session-list"></ul>`;
  const list = root.querySelector("#session-list");
  const form = root.querySelector("#session-form");
  const edit = (session) => {
    form.elements.editing.value = session.id;
    form.elements.treatment.value = session.treatment;
    form.elements.dose_mg.value = session.dose_mg ?? "";
    form.elements.clinic.value = session.clinic ?? "";
    root.querySelector("#session-submit").textContent = `Save the session of ${session.started_at.slice(0, 10)}`;
    form.elements.treatment.focus();
  };
  const render = () => {
    list.innerHTML = "";
    for (const s of sessions) {
      const item = document.createElement("li");
      item.textContent = `${s.started_at.slice(0, 16).replace("T", " ")} · ${TREATMENTS[s.treatment] || s.treatment}`
        + (s.dose_mg ? ` · ${s.dose_mg} mg` : "") + (s.clinic ? ` · ${s.clinic}` : "");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "Edit";
      button.setAttribute("aria-label", `Edit the session of ${s.started_at.slice(0, 10)}`);
      button.addEventListener("click", () => edit(s));
      item.appendChild(button);
      list.appendChild(item);
    }
  };
  render();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const editing = sessions.find((s) => s.id === data.get("editing"));
    const body = { started_at: editing ? editing.started_at : nowWithOffset(), treatment: data.get("treatment") };
    if (data.get("dose_mg")) body.dose_mg = Number(data.get("dose_mg"));
    if (data.get("clinic")) body.clinic = data.get("clinic");
    if (editing && editing.notes) body.notes = editing.notes;
    const session = { ...(editing || {}), id: editing ? editing.id : crypto.randomUUID(), ...body };
    sessions = editing ? sessions.map((s) => (s.id === session.id ? session : s)) : [session, ...sessions];
    await remember("sessions", sessions);
    await enqueue(`/api/v1/sessions/${session.id}`, body, "treatment session", editing ? editing.version : null);
    form.reset();
    form.elements.editing.value = "";
    root.querySelector("#session-submit").textContent = "Add a session now";
    render();
  });
}
