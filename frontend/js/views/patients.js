// A clinician's patients: link one with their invite code; each listed with latest scores,
// last check-in and every open flag by name; each opens its summary page.
import { request } from "../api.js";
import { plural } from "../logic.js";
import { mountDevicesAndPassword } from "./account.js";
import {
  SECOND_STEP_CHANGED, mountPasskeys, mountSecondFactor, mountSignInActivity,
} from "./factors.js";

const NAMES = { phq9: "PHQ-9", gad7: "GAD-7", pcl5: "PCL-5" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function day(iso) {
  return `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]}`;
}

/** A flag in words, e.g. "self-harm answer on PHQ-9, 2 Dec" or "BP 182/121, 30 Nov". */
export function flagName(flag) {
  const d = flag.detail || {};
  const when = day(flag.at);
  switch (flag.kind) {
    case "suicidal_ideation": return `self-harm answer on PHQ-9, ${when}`;
    case "bp_high": return `BP ${d.systolic}/${d.diastolic}, ${when}`;
    case "bp_rise": return `BP rise of ${d.systolic_rise ?? "–"}/${d.diastolic_rise ?? "–"} after a session, ${when}`;
    case "bp_before_session": return `BP ${d.pre.systolic}/${d.pre.diastolic} before a session, ${when}`;
    case "worsening": return `${NAMES[d.instrument] || d.instrument} worse, ${d.baseline} to ${d.latest}, ${when}`;
    default: return `${flag.kind}, ${when}`;
  }
}

const LINK_ERRORS = {
  404: "No patient has this code, or it was used already, or it has expired (codes last 7 days). Ask the patient for a new one.",
  422: "Type the code as the patient gave it to you.",
  429: "Too many tries from here. Wait a few minutes and try again.",
};

function patientItem(patient) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `/clinician/patients/${patient.id}`;
  link.textContent = patient.display_name || patient.email;
  const scores = Object.entries(patient.latest_scores)
    .map(([code, s]) => `${NAMES[code]} ${s.total} (${s.severity.replaceAll("_", " ")})`).join(", ");
  const details = document.createElement("p");
  details.className = "muted";
  details.textContent = [
    scores || "no questionnaire yet",
    patient.last_entry_at ? `last check-in ${patient.last_entry_at.slice(0, 10)}` : "no check-in yet",
  ].join(" · ");
  item.append(link, details);
  if (patient.open_flags.length) {
    const flags = document.createElement("ul");
    flags.className = "open-flags";
    flags.setAttribute("aria-label", `${plural(patient.open_flags.length, "open flag")} of ${link.textContent}`);
    const newest = [...patient.open_flags].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    flags.replaceChildren(...newest.map((flag) => {
      const li = document.createElement("li");
      li.textContent = flagName(flag);
      return li;
    }));
    item.appendChild(flags);
  }
  return item;
}

let reloadOnSecondStep = null;

export async function mountPatients(root) {
  root.innerHTML = `
    <h2>Your patients</h2>
    <form id="link-form" novalidate>
      <label>Invite code from a patient <input name="code" autocomplete="off" autocapitalize="characters" required></label>
      <button type="submit">Add the patient</button>
    </form>
    <div id="link-message" role="status"></div>
    <div id="patient-list"><p class="muted">Loading…</p></div>
    <h2>Your account</h2>
    <section id="second-factor" aria-labelledby="factor-title"></section>
    <section id="passkeys" aria-labelledby="passkeys-title"></section>
    <section id="devices-section" aria-labelledby="devices-title"></section>
    <section id="sign-in-activity" aria-labelledby="activity-title"></section>
    <section id="password-section" aria-labelledby="password-title"></section>`;
  const devices = root.querySelector("#devices-section");
  const activity = root.querySelector("#sign-in-activity");
  const loading = [
    mountSecondFactor(root.querySelector("#second-factor")),
    mountPasskeys(root.querySelector("#passkeys")),
    mountDevicesAndPassword({ devices, password: root.querySelector("#password-section"), activity }),
    mountSignInActivity(activity),
  ];
  const message = root.querySelector("#link-message");
  const listing = root.querySelector("#patient-list");
  const say = (text, error = false) => {
    message.innerHTML = "";
    const p = document.createElement("p");
    p.className = `message${error ? " error" : ""}`;
    p.textContent = text;
    message.appendChild(p);
  };
  const load = async () => {
    let answer;
    try {
      answer = await request("GET", "/api/v1/clinician/patients");
    } catch {
      listing.innerHTML = '<p class="message error">You are offline.</p>';
      return [];
    }
    if (answer.status === 403) {
      // An address not yet confirmed (the clinic asks clinicians who register to confirm it).
      const note = document.createElement("p");
      note.className = "message error";
      note.textContent = answer.body.message;
      const again = document.createElement("button");
      again.type = "button";
      again.className = "secondary";
      again.textContent = "Mail me the link again";
      if (!answer.body.message.startsWith("Confirm your address")) {
        listing.replaceChildren(note); // two-step sign-in first: set up under Your account
        return [];
      }
      again.addEventListener("click", async () => {
        const sent = await request("POST", "/api/v1/auth/verify-email/resend");
        say((sent.body && sent.body.message) || "The link could not be sent.", sent.status !== 202);
      });
      listing.replaceChildren(note, again);
      return [];
    }
    const items = answer.status === 200 ? answer.body.items : [];
    if (!items.length) {
      listing.innerHTML = '<p class="muted">No patient has linked you yet. Ask them for an invite code (Share, then "Invite a clinician").</p>';
      return items;
    }
    const list = document.createElement("ul");
    list.className = "patients";
    list.replaceChildren(...items.map(patientItem));
    listing.replaceChildren(list);
    return items;
  };
  root.querySelector("#link-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = new FormData(event.target).get("code").trim();
    if (!code) {
      say("Invite code: type the code the patient gave you.", true);
      return;
    }
    let answer;
    try {
      answer = await request("POST", "/api/v1/clinician/links", { code });
    } catch {
      say("You are offline. Try again once you are connected.", true);
      return;
    }
    if (answer.status === 201) {
      event.target.reset();
      const items = await load();
      const added = items.find((p) => p.id === answer.body.id);
      say(added ? `${added.display_name || added.email} is now in your list.` : "The patient is now in your list.");
      return;
    }
    say(LINK_ERRORS[answer.status] || (answer.body && answer.body.message) || "The code was not accepted.", true);
  });
  // A second step set up under Your account may open the list: load it again then.
  if (reloadOnSecondStep) document.removeEventListener(SECOND_STEP_CHANGED, reloadOnSecondStep);
  reloadOnSecondStep = () => { if (root.isConnected) load(); };
  document.addEventListener(SECOND_STEP_CHANGED, reloadOnSecondStep);
  await Promise.allSettled([load(), ...loading]); // shown whole: the screen is no longer busy
}
