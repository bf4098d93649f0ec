// History: past check-ins, sessions and questionnaires, newest first, a page at a time; each
// can be opened, corrected (check-ins) or deleted (other devices learn of it when they sync).
import { request } from "../api.js";
import { checkinProblems, isoFromLocalInput, localInputValue, plural } from "../logic.js";
import { enqueue } from "../outbox.js";
import { TREATMENTS } from "./sessions.js";

const PAGE = 20;
const KINDS = {
  entries: { label: "Check-ins", one: "check-in", time: "recorded_at" },
  sessions: { label: "Sessions", one: "treatment session", time: "started_at" },
  assessments: { label: "Questionnaires", one: "questionnaire", time: "completed_at" },
};
const NAMES = { phq9: "PHQ-9", gad7: "GAD-7", pcl5: "PCL-5" };
const CONTENT = {
  entries: ["recorded_at", "mood", "anxiety", "sleep_hours", "sleep_quality", "dissociation", "systolic",
    "diastolic", "heart_rate", "side_effects", "note", "session_id", "phase"],
};
const EDITABLE = [
  ["mood", "Mood (0-10)"], ["anxiety", "Anxiety (0-10)"], ["sleep_hours", "Hours slept"],
  ["sleep_quality", "Sleep quality (0-10)"], ["dissociation", "Dissociation (0-10)"],
  ["systolic", "Blood pressure, upper"], ["diastolic", "Blood pressure, lower"], ["heart_rate", "Heart rate"],
];

function when(iso) {
  return iso.slice(0, 16).replace("T", " ");
}

function describe(kind, item) {
  if (kind === "sessions") {
    return `${when(item.started_at)} · ${TREATMENTS[item.treatment] || item.treatment}`
      + (Date.parse(item.started_at) > Date.now() ? " (planned)" : "");
  }
  if (kind === "assessments") {
    return `${when(item.completed_at)} · ${NAMES[item.instrument]} ${item.total} (${item.severity.replaceAll("_", " ")})`;
  }
  const parts = EDITABLE.filter(([name]) => item[name] != null && name !== "diastolic")
    .map(([name, label]) => (name === "systolic"
      ? `BP ${item.systolic}/${item.diastolic}` : `${label.replace(/ \(0-10\)/, "")} ${item[name]}`));
  const phase = item.phase ? ` · ${item.phase === "pre" ? "before" : "after"} a session` : "";
  return `${when(item.recorded_at)}${phase} · ${parts.join(", ") || "note only"}`;
}

function details(kind, item) {
  const shown = Object.entries(item)
    .filter(([key, value]) => value !== null && !["id", "version", "created_at", "updated_at", "flags"].includes(key)
      && !(Array.isArray(value) && !value.length))
    .map(([key, value]) => `${key.replaceAll("_", " ")}: ${Array.isArray(value) ? value.join(", ").replaceAll("_", " ") : value}`);
  const p = document.createElement("p");
  p.className = "muted";
  p.textContent = shown.join(" · ");
  return p;
}

function button(label, name, onClick, secondary = true) {
  const b = document.createElement("button");
  b.type = "button";
  if (secondary) b.className = "secondary";
  b.textContent = label;
  b.setAttribute("aria-label", name);
  b.addEventListener("click", onClick);
  return b;
}

function correctionForm(item, onSaved) {
  const form = document.createElement("form");
  form.noValidate = true;
  form.innerHTML = `
    <label>When <input name="when" type="datetime-local" value="${localInputValue(item.recorded_at)}"></label>
    ${EDITABLE.map(([name, label]) => `<label>${label}
      <input name="${name}" type="number" inputmode="decimal" value="${item[name] ?? ""}"></label>`).join("")}
    <label>Note <textarea name="note" maxlength="2000"></textarea></label>
    <p class="problems" role="alert"></p>
    <button type="submit">Save the correction</button>`;
  form.elements.note.value = item.note || "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = Object.fromEntries(CONTENT.entries.filter((k) => item[k] != null).map((k) => [k, item[k]]));
    body.recorded_at = isoFromLocalInput(data.get("when")) || item.recorded_at;
    for (const [name] of EDITABLE) {
      const raw = data.get(name);
      if (raw === "" || raw === null) delete body[name];
      else body[name] = Number(raw);
    }
    if (data.get("note")) body.note = data.get("note");
    else delete body.note;
    const problems = checkinProblems(body);
    if (Object.keys(problems).length) {
      form.querySelector(".problems").textContent = Object.values(problems).join(" ");
      form.querySelector(".problems").className = "problems message error";
      return;
    }
    // A PUT of the whole check-in with the version it was read at: a change made on another
    // device meanwhile is not overwritten (the app asks which to keep).
    await enqueue(`/api/v1/entries/${item.id}`, body, "check-in", item.version);
    onSaved();
  });
  return form;
}

export async function mountHistory(root) {
  root.innerHTML = `
    <h2>History</h2>
    <label>Show <select id="history-kind">${Object.entries(KINDS).map(([k, v]) =>
      `<option value="${k}">${v.label}</option>`).join("")}</select></label>
    <p id="history-message" role="status"></p>
    <ul class="history" id="history-list"></ul>
    <button type="button" class="secondary hidden" id="history-more">Show older</button>`;
  const list = root.querySelector("#history-list");
  const more = root.querySelector("#history-more");
  const message = root.querySelector("#history-message");
  const select = root.querySelector("#history-kind");
  let kind = "entries";
  let cursor = null;
  let shown = 0;

  const say = (text, error = false) => {
    message.className = text ? `message${error ? " error" : ""}` : "";
    message.textContent = text;
  };
  const remove = async (item, li) => {
    const what = KINDS[kind].one;
    if (!window.confirm(`Delete this ${what} of ${when(item[KINDS[kind].time])}? This cannot be undone.`)) return;
    try {
      const answer = await request("DELETE", `/api/v1/${kind}/${item.id}`, undefined, { "If-Match": `"${item.version}"` });
      if (answer.status === 204) {
        li.remove();
        say(`The ${what} was deleted. Your other devices will drop it when they sync.`);
      } else if (answer.status === 412) {
        say(`This ${what} was changed on another device meanwhile: it was not deleted. Look at it again.`, true);
      } else {
        say((answer.body && answer.body.message) || `The ${what} was not deleted.`, true);
      }
    } catch {
      say("You are offline: deleting needs the network.", true);
    }
  };
  const row = (item) => {
    const li = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = describe(kind, item);
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    const label = `${KINDS[kind].one} of ${when(item[KINDS[kind].time])}`;
    let open = null;
    buttons.append(button("Open", `Open the ${label}`, () => {
      if (open) { open.remove(); open = null; return; }
      open = details(kind, item);
      li.appendChild(open);
    }));
    if (kind === "entries") {
      buttons.append(button("Correct", `Correct the ${label}`, () => {
        if (li.querySelector("form")) return;
        li.appendChild(correctionForm(item, () => {
          say("Correction saved.");
          load(true);
        }));
        li.querySelector("form input").focus();
      }));
    }
    buttons.append(button("Delete", `Delete the ${label}`, () => remove(item, li)));
    li.append(text, buttons);
    return li;
  };
  let asked = 0; // a page asked for a kind no longer shown is dropped when it comes
  const load = async (fresh) => {
    if (fresh) {
      cursor = null;
      shown = 0;
      list.replaceChildren();
    }
    const mine = fresh ? ++asked : asked;
    const query = `limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    let answer;
    more.disabled = true; // one tap, one page
    try {
      answer = await request("GET", `/api/v1/${kind}?${query}`);
    } catch {
      if (mine === asked) say("You are offline: the history needs the network.", true);
      return;
    } finally {
      if (mine === asked) more.disabled = false;
    }
    if (mine !== asked) return;
    if (answer.status !== 200) {
      say((answer.body && answer.body.message) || "The history could not be read.", true);
      return;
    }
    list.append(...answer.body.items.map(row));
    shown += answer.body.items.length;
    cursor = answer.body.next_cursor;
    more.classList.toggle("hidden", !cursor);
    if (!shown) say(`No ${KINDS[kind].one} yet.`);
    else if (fresh && !message.textContent) say(`${plural(shown, KINDS[kind].one)}${cursor ? " (newest first; more below)" : ""}.`);
  };
  select.addEventListener("change", () => {
    kind = select.value;
    say("");
    load(true);
  });
  more.addEventListener("click", () => load(false));
  await load(true);
}
