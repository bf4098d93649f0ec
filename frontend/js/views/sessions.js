// Treatment sessions: recorded or planned at any date and time, and edited later.
import { request } from "../api.js";
import { isoFromLocalInput, localInputValue, nextSessionSuggestion, nowWithOffset, plural } from "../logic.js";
import { enqueue, pending } from "../outbox.js";
import { recall, remember } from "../store.js";

export const TREATMENTS = {
  ketamine_iv: "Ketamine IV", ketamine_im: "Ketamine IM", esketamine_nasal: "Esketamine nasal spray",
  ketamine_oral: "Ketamine oral", ketamine_sublingual: "Ketamine sublingual", other: "Other",
};

async function loadSessions() {
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
  return sessions;
}

// What the server would refuse, said before anything is saved or queued.
function sessionProblem(data) {
  const dose = data.get("dose_mg");
  if (dose && !(Number(dose) > 0)) return "Dose: more than 0 mg, or leave it empty.";
  const minutes = data.get("duration_minutes");
  if (minutes && !(Number.isInteger(Number(minutes)) && Number(minutes) >= 1 && Number(minutes) <= 600)) {
    return "Length: whole minutes, 1 to 600, or leave it empty.";
  }
  return "";
}

function describe(session) {
  const planned = Date.parse(session.started_at) > Date.now() ? "Planned: " : "";
  return `${planned}${session.started_at.slice(0, 16).replace("T", " ")} · ${TREATMENTS[session.treatment] || session.treatment}`
    + (session.dose_mg ? ` · ${session.dose_mg} mg` : "")
    + (session.duration_minutes ? ` · ${session.duration_minutes} min` : "")
    + (session.clinic ? ` · ${session.clinic}` : "");
}

export async function mountSessions(root) {
  let sessions = await loadSessions();
  root.innerHTML = `
    <h2>Treatment sessions</h2>
    <p id="plan-next-row" hidden><button type="button" id="plan-next" class="secondary"></button></p>
    <form id="session-form" novalidate>
      <input type="hidden" name="editing">
      <label>When (now, earlier, or planned ahead)
        <input name="when" type="datetime-local" value="${localInputValue(nowWithOffset())}" required>
      </label>
      <div class="row">
        <label>Treatment <select name="treatment">${Object.entries(TREATMENTS).map(([v, l]) =>
          `<option value="${v}">${l}</option>`).join("")}</select></label>
        <label>Dose (mg) <input name="dose_mg" type="number" inputmode="decimal" min="0" step="any"></label>
      </div>
      <div class="row">
        <label>Length (minutes) <input name="duration_minutes" type="number" inputmode="numeric"
          min="1" max="600" step="1"></label>
        <label>Clinic <input name="clinic" maxlength="200"></label>
      </div>
      <label>Notes (how it went, what changed) <textarea name="notes" rows="3" maxlength="4000"></textarea></label>
      <p id="session-message" role="status"></p>
      <button type="submit" id="session-submit">Save the session</button>
    </form>
    <ul id="session-list"></ul>`;
  const list = root.querySelector("#session-list");
  const form = root.querySelector("#session-form");
  const message = root.querySelector("#session-message");
  const submit = root.querySelector("#session-submit");
  const planButton = root.querySelector("#plan-next");
  const spoken = (value) => new Date(value).toLocaleString([], {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  // Two taps: this fills the form like the latest session, a gap later; Save plans it.
  planButton.addEventListener("click", () => {
    const next = nextSessionSuggestion(sessions);
    if (!next) return;
    form.elements.editing.value = "";
    form.elements.when.value = next.when;
    form.elements.treatment.value = next.after.treatment;
    form.elements.dose_mg.value = next.after.dose_mg ?? "";
    form.elements.clinic.value = next.after.clinic ?? "";
    form.elements.duration_minutes.value = next.after.duration_minutes ?? "";
    form.elements.notes.value = "";
    submit.textContent = "Plan this session";
    message.className = "message";
    message.textContent = `${spoken(next.when)}, ${plural(next.days, "day")} after the last session. `
      + "Change anything, then plan it.";
    submit.focus();
  });
  const offerNext = () => {
    const next = nextSessionSuggestion(sessions);
    root.querySelector("#plan-next-row").hidden = !next;
    if (next) planButton.textContent = `Plan the next session: ${spoken(next.when)}`;
  };
  const edit = (session) => {
    form.elements.editing.value = session.id;
    form.elements.when.value = localInputValue(session.started_at);
    form.elements.treatment.value = session.treatment;
    form.elements.dose_mg.value = session.dose_mg ?? "";
    form.elements.clinic.value = session.clinic ?? "";
    form.elements.duration_minutes.value = session.duration_minutes ?? "";
    form.elements.notes.value = session.notes ?? "";
    submit.textContent = `Save the changes to the session of ${session.started_at.slice(0, 10)}`;
    form.elements.when.focus();
  };
  const render = () => {
    list.replaceChildren(...sessions.map((s) => {
      const item = document.createElement("li");
      item.textContent = describe(s);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "Edit";
      button.setAttribute("aria-label", `Edit the session of ${s.started_at.slice(0, 16).replace("T", " ")}`);
      button.addEventListener("click", () => edit(s));
      item.appendChild(button);
      return item;
    }));
    offerNext();
  };
  render();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const startedAt = isoFromLocalInput(data.get("when"));
    message.className = "";
    if (!startedAt) {
      message.className = "message error";
      message.textContent = "When: give a date and a time.";
      return;
    }
    const problem = sessionProblem(data);
    if (problem) {
      message.className = "message error";
      message.textContent = problem;
      return;
    }
    const editing = sessions.find((s) => s.id === data.get("editing"));
    const body = { started_at: startedAt, treatment: data.get("treatment") };
    if (data.get("dose_mg")) body.dose_mg = Number(data.get("dose_mg"));
    if (data.get("duration_minutes")) body.duration_minutes = Number(data.get("duration_minutes"));
    if (data.get("clinic").trim()) body.clinic = data.get("clinic").trim();
    if (data.get("notes").trim()) body.notes = data.get("notes").trim();
    const session = { ...(editing || {}), id: editing ? editing.id : crypto.randomUUID(), ...body };
    sessions = editing ? sessions.map((s) => (s.id === session.id ? session : s)) : [session, ...sessions];
    sessions.sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
    await remember("sessions", sessions);
    await enqueue(`/api/v1/sessions/${session.id}`, body, "treatment session", editing ? editing.version : null);
    message.className = "message";
    message.textContent = Date.parse(startedAt) > Date.now() ? "Planned." : "Saved.";
    form.reset();
    form.elements.editing.value = "";
    form.elements.when.value = localInputValue(nowWithOffset());
    submit.textContent = "Save the session";
    sessions = await loadSessions();
    render();
  });
}
