// Today's check-in: a few taps, before or after a session too, saved even when offline.
import { checkinProblems, localDate, nowWithOffset } from "../logic.js";
import { enqueue, pending } from "../outbox.js";
import { recall, remember } from "../store.js";

const SIDE_EFFECTS = [
  ["nausea", "Nausea"], ["headache", "Headache"], ["dizziness", "Dizziness"],
  ["drowsiness", "Drowsiness"], ["blurred_vision", "Blurred vision"],
  ["dissociation", "Dissociation"], ["anxiety", "Anxiety"], ["elevated_bp", "High blood pressure"],
  ["other", "Other"],
];
const TREATMENTS = [
  ["ketamine_iv", "Ketamine IV"], ["ketamine_im", "Ketamine IM"], ["esketamine_nasal", "Esketamine nasal spray"],
  ["ketamine_oral", "Ketamine oral"], ["ketamine_sublingual", "Ketamine sublingual"], ["other", "Other"],
];

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

async function sessionForToday(treatment) {
  const today = localDate(nowWithOffset());
  const sessions = (await recall("sessions")) || [];
  const found = sessions.find((s) => localDate(s.started_at) === today);
  if (found) return found;
  const created = { id: crypto.randomUUID(), started_at: nowWithOffset(), treatment };
  await remember("sessions", [created, ...sessions]);
  await enqueue(`/api/v1/sessions/${created.id}`, { started_at: created.started_at, treatment }, "treatment session");
  return created;
}

export function mountToday(root) {
  root.innerHTML = `
    <h2 id="today-title">How are you today?</h2>
    <form id="checkin" aria-labelledby="today-title" novalidate>
      ${scale("mood", "Mood", "worst", "best")}
      ${scale("anxiety", "Anxiety", "none", "worst")}
      <div class="row">
        <label>Hours slept <input name="sleep_hours" type="number" inputmode="decimal" min="0" max="24" step="0.25"></label>
        <label>Treatment (for a session)
          <select name="treatment">${TREATMENTS.map(([v, l]) => `<option value="${v}">${l}</option>`).join("")}</select>
        </label>
      </div>
      ${scale("sleep_quality", "Sleep quality", "very poor", "excellent")}
      <details>
        <summary>After a session: dissociation, side effects, blood pressure</summary>
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
      <label>Note (optional) <textarea name="note" maxlength="2000"></textarea></label>
      <p id="checkin-message" class="message hidden" role="status"></p>
      <div class="actions">
        <button type="submit" class="wide" name="phase" value="">Save check-in</button>
        <button type="submit" class="secondary" name="phase" value="pre">Before session</button>
        <button type="submit" class="secondary" name="phase" value="post">After session</button>
      </div>
    </form>`;
  const form = root.querySelector("#checkin");
  const message = root.querySelector("#checkin-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const phase = event.submitter ? event.submitter.value : "";
    const data = new FormData(form);
    const values = {
      recorded_at: nowWithOffset(),
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
    const problems = checkinProblems(values);
    message.classList.remove("hidden", "error");
    if (Object.keys(problems).length) {
      message.classList.add("error");
      message.textContent = Object.values(problems).join(" ");
      return;
    }
    if (phase) {
      const session = await sessionForToday(data.get("treatment"));
      values.session_id = session.id;
      values.phase = phase;
    }
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const id = crypto.randomUUID();
    const left = await enqueue(`/api/v1/entries/${id}`, body, "check-in");
    const waiting = left > 0 || (await pending()).length > 0;
    let text = waiting ? "Saved on this phone. It will sync when you are back online." : "Saved.";
    if ((values.systolic ?? 0) >= 180 || (values.diastolic ?? 0) >= 120) {
      message.classList.add("error");
      text += " Your blood pressure is at a level that needs attention now: tell your care team, "
        + "and call your local emergency number if you have chest pain, a severe headache or trouble seeing or speaking.";
    }
    message.textContent = text;
    form.reset();
  });
}
