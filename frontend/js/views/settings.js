// Settings: time zone, reminders, exports, signed-in devices, password, deleting the account.
import { OFFLINE, send } from "../api.js";
import { namedProblems } from "../logic.js";
import { refreshCopy } from "../store.js";
import { mountDevicesAndPassword, sayIn } from "./account.js";
import { mountPasskeys, mountSecondFactor, mountSignInActivity } from "./factors.js";
import { mountReminders } from "./reminders.js";

// An import's problems, each named by where it is in the file ("Check-in 3, mood: ...").
const KINDS = { sessions: ["session", "Session"], entries: ["check-in", "Check-in"], assessments: ["questionnaire", "Questionnaire"] };
function importProblems(node, where = []) {
  if (Array.isArray(node) || typeof node !== "object" || node === null) {
    return [`${where.length ? `${where.join(", ")}: ` : ""}${[node].flat().join(" ")}`];
  }
  return Object.entries(node).flatMap(([key, value]) => importProblems(value,
    /^\d+$/.test(key) && KINDS[where.at(-1)]
      ? [...where.slice(0, -1), `${KINDS[where.at(-1)][1]} ${Number(key) + 1}`] : [...where, key]));
}

// What an import added, changed and found here already.
function importDone(counts) {
  const sum = (field) => Object.values(counts).reduce((total, c) => total + (c[field] || 0), 0);
  const added = Object.entries(KINDS).filter(([kind]) => counts[kind] && counts[kind].created)
    .map(([kind, [name]]) => `${counts[kind].created} ${name}${counts[kind].created === 1 ? "" : "s"}`);
  if (!added.length && !sum("updated")) return "Nothing new: everything in the file is here already.";
  return `Brought in: ${added.length ? added.join(", ") : "nothing new"}`
    + (sum("updated") ? `; ${sum("updated")} changed` : "")
    + (sum("unchanged") ? `; ${sum("unchanged")} here already` : "") + ".";
}

export async function mountSettings(root, { user, onSignedOut }) {
  const zones = (Intl.supportedValuesOf && Intl.supportedValuesOf("timeZone")) || [user.timezone];
  root.innerHTML = `
    <h2>Settings</h2>
    <form id="zone-form"><label>Time zone
      <select name="timezone">${zones.map((z) => `<option ${z === user.timezone ? "selected" : ""}>${z}</option>`).join("")}</select>
    </label><button type="submit" class="secondary">Save time zone</button></form>
    <p id="zone-message" class="message hidden" role="status"></p>
    <section id="reminders"></section>
    <h3>Take your data with you</h3>
    <ul class="exports">
      <li><a href="/api/v1/export/entries.csv" download>Check-ins (CSV)</a></li>
      <li><a href="/api/v1/export/sessions.csv" download>Treatment sessions (CSV)</a></li>
      <li><a href="/api/v1/export/assessments.csv" download>Questionnaires (CSV)</a></li>
      <li><a href="/api/v1/export/json" download>Everything (JSON, to import elsewhere)</a></li>
      <li><a href="/api/v1/export/fhir" download>For a health record (FHIR)</a></li>
    </ul>
    <h3>Bring in a journal</h3>
    <p class="muted">A file saved with "Everything (JSON, to import elsewhere)", here or in
      another Symptom Journal.
      What is here already is kept once: bringing a file in twice adds nothing.</p>
    <form id="import-form" novalidate>
      <label>Journal file (JSON) <input name="file" type="file" accept=".json,application/json"></label>
      <button type="submit" class="secondary">Bring it in</button>
    </form>
    <p id="import-message" class="message hidden" role="status"></p>
    <section id="devices-section" aria-labelledby="devices-title"></section>
    <section id="second-factor" aria-labelledby="factor-title"></section>
    <section id="passkeys" aria-labelledby="passkeys-title"></section>
    <section id="sign-in-activity" aria-labelledby="activity-title"></section>
    <section id="password-section" aria-labelledby="password-title"></section>
    <h3>Delete your account</h3>
    <form id="delete-form" novalidate>
      <label>Password <input name="password" type="password" autocomplete="current-password"></label>
      <button type="submit" class="secondary">Delete my account and all my data</button>
    </form>
    <p id="delete-message" class="message hidden" role="status"></p>`;
  // Each form answers just below itself, where the person is looking.
  const sayUnder = (id) => sayIn(root.querySelector(`#${id}`));
  const devices = root.querySelector("#devices-section");
  const activity = root.querySelector("#sign-in-activity");
  const loading = [
    mountDevicesAndPassword({ devices, password: root.querySelector("#password-section"), activity }),
    mountSignInActivity(activity),
    mountSecondFactor(root.querySelector("#second-factor")),
    mountPasskeys(root.querySelector("#passkeys")),
  ];
  const zoneSay = sayUnder("zone-message");
  root.querySelector("#zone-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await send("PATCH", "/api/v1/auth/me", { timezone: new FormData(event.target).get("timezone") });
    zoneSay(answer.status === 200 ? "Time zone saved."
      : namedProblems(answer.body, { timezone: "Time zone" }, "The time zone was not saved."), answer.status !== 200);
  });
  const importSay = sayUnder("import-message");
  root.querySelector("#import-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = event.target.elements.file.files[0];
    if (!file) {
      importSay("Journal file: choose the .json file to bring in.", true);
      return;
    }
    let journal;
    try {
      journal = JSON.parse(await file.text());
    } catch {
      importSay(`${file.name} is not a journal file (it is not JSON): nothing was brought in.`, true);
      return;
    }
    const button = event.target.querySelector("button");
    button.disabled = true;
    importSay(`Bringing in ${file.name}…`);
    const answer = await send("POST", "/api/v1/import", journal);
    button.disabled = false;
    if (!answer.status) {
      importSay(OFFLINE, true);
      return;
    }
    if (answer.status === 200) {
      event.target.reset();
      importSay(importDone(answer.body));
      refreshCopy(); // sessions brought in can be chosen on Today
      return;
    }
    const errors = answer.body && answer.body.errors && answer.body.errors.json;
    const lines = errors ? importProblems(errors) : [];
    importSay(`Nothing was brought in. ${lines.slice(0, 5).join(" ")}${lines.length > 5 ? ` (and ${lines.length - 5} more)` : ""}`
      + (lines.length ? "" : (answer.body && answer.body.message) || "The file was refused."), true);
  });
  const deleteSay = sayUnder("delete-message");
  root.querySelector("#delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.confirm("Delete your account and everything in it? This cannot be undone.")) return;
    const answer = await send("DELETE", "/api/v1/account", { password: new FormData(event.target).get("password") });
    if (answer.status === 204) onSignedOut();
    else if (answer.status === 403) deleteSay("Wrong password: nothing was deleted.", true);
    else deleteSay(namedProblems(answer.body, { password: "Password" }, "Nothing was deleted."), true);
  });
  loading.push(mountReminders(root.querySelector("#reminders")));
  await Promise.allSettled(loading); // shown whole: the screen is no longer busy
}
