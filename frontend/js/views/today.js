// A check-in: a few taps, now or back-dated, before or after a session too, saved even
// when offline. A flag the check-in raises shows at once, with what to do.
import {
  DEFAULT_SETTINGS, NOTE_LIMIT, checkinFlags, checkinProblems, isoFromLocalInput, localInputValue, nowWithOffset,
} from "../logic.js";
import { enqueue, pending } from "../outbox.js";
import { recall, remember } from "../store.js";
import { TREATMENTS } from "./sessions.js";

export const SIDE_EFFECTS = [
  ["nausea", "Nausea"], ["headache", "Headache"], ["dizziness", "Dizziness"],
  ["drowsiness", "Drowsiness"], ["blurred_vision", "Blurred vision"],
  ["dissociation", "Dissociation"], ["anxiety", "Anxiety"], ["elevated_bp", "High blood pressure"],
  ["other", "Other"],
];
const NEW_SESSION = "new";

function scale(name, legend, low, high) {
  const options = Array.from({ length: 11 }, (_, n) =>
    `<label><input type="radio" name="${name}" value="${n}"><span>${n}</span></label>`).join("");
  return `<fieldset><legend>${legend}</legend><div class="scale">${options}</div>
    <div class="ends" aria-hidden="true"><span>0 ${low}</span><span>10 ${high}</span></div></fieldset>`;
}

function number(form, name) {
  const raw = form.get(name);
  if (raw === null || raw === "") return undefined;
  return Number(raw);
}

function sessionLabel(session) {
  const when = session.started_at.slice(0, 16).replace("T", " ");
  return `${when} · ${TREATMENTS[session.treatment] || session.treatment}`;
}

/** The sessions a check-in can belong to: from two days ago to two days ahead, the nearest
 * in time first. */
async function nearbySessions() {
  const sessions = (await recall("sessions")) || [];
  const now = Date.now();
  const distance = (s) => Math.abs(Date.parse(s.started_at) - now);
  return sessions.filter((s) => distance(s) < 2 * 86400 * 1000).sort((a, b) => distance(a) - distance(b));
}

function sessionOptions(sessions, chosen) {
  return sessions.map((s) => `<option value="${s.id}" ${s.id === chosen ? "selected" : ""}>${sessionLabel(s)}</option>`)
    .join("") + `<option value="${NEW_SESSION}">A new session now</option>`;
}

async function newSessionNow() {
  // A new session takes the treatment of the last one (most people stay on one); it can be
  // changed on the Sessions screen.
  const sessions = (await recall("sessions")) || [];
  const treatment = sessions.length ? sessions[0].treatment : "ketamine_iv";
  const created = { id: crypto.randomUUID(), started_at: nowWithOffset(), treatment, version: null };
  await remember("sessions", [created, ...sessions]);
  await enqueue(`/api/v1/sessions/${created.id}`, { started_at: created.started_at, treatment }, "treatment session");
  return created;
}

function readValues(data) {
  return {
    recorded_at: isoFromLocalInput(data.get("when")) || nowWithOffset(),
    mood: number(data, "mood"),
    anxiety: number(data, "anxiety"),
    sleep_hours: number(data, "sleep_hours"),
    sleep_quality: number(data, "sleep_quality"),
    dissociation: number(data, "dissociation"),
    systolic: number(data, "systolic"),
    diastolic: number(data, "diastolic"),
    heart_rate: number(data, "heart_rate"),
    side_effects: data.getAll("side_effects"),
    note: data.get("note") || undefined,
  };
}

export async function mountToday(root) {
  let sessions = await nearbySessions();
  root.innerHTML = `
    <h2 id="today-title">How are you today?</h2>
    <form id="checkin" aria-labelledby="today-title" novalidate>
      ${scale("mood", "Mood", "worst", "best")}
      ${scale("anxiety", "Anxiety", "none", "worst")}
      ${scale("sleep_quality", "Sleep quality", "very poor", "excellent")}
      <label>Hours slept <input name="sleep_hours" type="number" inputmode="decimal" min="0" max="24" step="0.25"></label>
      <label>When (leave empty for now) <input name="when" type="datetime-local" max="${localInputValue(nowWithOffset())}"></label>
      <details>
        <summary>Before or after a session: which one, dissociation, side effects, blood pressure</summary>
        <label>Session <select name="session">${sessionOptions(sessions)}</select></label>
        ${scale("dissociation", "Dissociation", "none", "extreme")}
        <fieldset><legend>Side effects</legend><div class="checks">
          ${SIDE_EFFECTS.map(([v, l]) => `<label><input type="checkbox" name="side_effects" value="${v}"> ${l}</label>`).join("")}
        </div></fieldset>
        <div class="row">
          <label>Blood pressure, upper <input name="systolic" type="number" inputmode="numeric" min="60" max="260"></label>
          <label>lower <input name="diastolic" type="number" inputmode="numeric" min="30" max="160"></label>
        </div>
        <label>Heart rate <input name="heart_rate" type="number" inputmode="numeric" min="25" max="250"></label>
      </details>
      <label>Note (optional) <textarea name="note" maxlength="${NOTE_LIMIT}" aria-describedby="note-count"></textarea></label>
      <p id="note-count" class="muted hidden" aria-live="polite"></p>
      <div id="checkin-message" role="status"></div>
      <div class="actions sticky">
        <button type="submit" class="wide" name="phase" value="">Save check-in</button>
        <button type="submit" class="secondary" name="phase" value="pre">Before session</button>
        <button type="submit" class="secondary" name="phase" value="post">After session</button>
      </div>
    </form>`;
  const form = root.querySelector("#checkin");
  const message = root.querySelector("#checkin-message");
  const note = form.elements.note;
  const count = root.querySelector("#note-count");
  note.addEventListener("input", () => {
    // Near the limit, say how much room is left: nothing typed is cut silently.
    const near = note.value.length >= NOTE_LIMIT - 200;
    count.classList.toggle("hidden", !near);
    count.textContent = near ? `${note.value.length} of ${NOTE_LIMIT} characters` : "";
  });
  const say = (lines, error) => {
    message.replaceChildren(...lines.map((line) => {
      const p = document.createElement("p");
      p.className = `message${line.error ?? error ? " error" : ""}`;
      p.textContent = line.text ?? line;
      return p;
    }));
  };
  let saving = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saving) return; // a double tap saves once
    const phase = event.submitter ? event.submitter.value : "";
    const data = new FormData(form);
    const values = readValues(data);
    const problems = checkinProblems(values);
    if (Object.keys(problems).length) {
      say(Object.values(problems), true);
      const first = form.elements[Object.keys(problems)[0]];
      if (first && first.focus && !(first instanceof RadioNodeList)) first.focus();
      return;
    }
    saving = true;
    form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
    try {
      if (phase) {
        const chosen = data.get("session");
        const session = chosen && chosen !== NEW_SESSION
          ? sessions.find((s) => s.id === chosen) : await newSessionNow();
        values.session_id = session.id;
        values.phase = phase;
      }
      const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
      const used = values.session_id;
      const left = await enqueue(`/api/v1/entries/${crypto.randomUUID()}`, body, "check-in");
      const waiting = left > 0 || (await pending()).length > 0;
      const settings = (await recall("clinical")) || DEFAULT_SETTINGS;
      const flags = checkinFlags(values, phase, settings).map((f) => ({ text: f.text, error: true }));
      say([waiting ? "Saved on this phone. It will sync when you are back online." : "Saved.", ...flags], false);
      form.reset();
      // The session just used (perhaps made now) stays the one offered next.
      sessions = await nearbySessions();
      form.elements.session.innerHTML = sessionOptions(sessions, used);
    } finally {
      saving = false;
      form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = false; });
    }
  });
}
