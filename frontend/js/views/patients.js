// A clinician's patients: latest scores, last check-in, open flags; each opens its summary.
import { request } from "../api.js";

const NAMES = { phq9: "PHQ-9", gad7: "GAD-7", pcl5: "PCL-5" };

export async function mountPatients(root) {
  root.innerHTML = `<h2>Your patients</h2><p class="muted">Loading…</p>`;
  let answer;
  try {
    answer = await request("GET", "/api/v1/clinician/patients");
  } catch {
    root.innerHTML = `<h2>Your patients</h2><p class="message error">You are offline.</p>`;
    return;
  }
  const list = document.createElement("ul");
  for (const patient of answer.body.items) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/clinician/patients/${patient.id}`;
    link.textContent = patient.display_name || patient.email;
    const scores = Object.entries(patient.latest_scores)
      .map(([code, s]) => `${NAMES[code]} ${s.total} (${s.severity.replace("_", " ")})`).join(", ");
    const details = document.createElement("p");
    details.className = "muted";
    details.textContent = [
      scores || "no questionnaire yet",
      patient.last_entry_at ? `last check-in ${patient.last_entry_at.slice(0, 10)}` : "no check-in yet",
      patient.open_flags.length ? `${patient.open_flags.length} flag(s) in the last 30 days` : "",
    ].filter(Boolean).join(" · ");
    item.append(link, details);
    list.appendChild(item);
  }
  root.innerHTML = "<h2>Your patients</h2>";
  if (!answer.body.items.length) {
    root.insertAdjacentHTML("beforeend", '<p class="muted">No patient has linked you yet. Ask them for an invite code.</p>');
  }
  root.appendChild(list);
}
