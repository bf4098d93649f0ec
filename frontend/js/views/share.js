// Share with the care team: links, invite codes, who has looked. Needs the network.
import { request, send } from "../api.js";
import { namedProblems } from "../logic.js";

// The share form's fields, by their labels on screen.
const SHARE_FIELDS = {
  label: "Who is it for?", expires_in_days: "Valid for", from: "From", to: "Up to", include_notes: "Include my notes",
};

function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

const ACTIONS = {
  view_summary: "viewed the summary", view_summary_json: "downloaded the summary",
  download_entries_csv: "downloaded the entries", download_report_pdf: "downloaded the PDF",
};

export async function mountShare(root) {
  root.innerHTML = `
    <h2>Share with your care team</h2>
    <form id="share-form" novalidate>
      <label>Who is it for? <input name="label" maxlength="100" placeholder="e.g. Dr Rivera"></label>
      <div class="row">
        <label>Valid for <select name="expires_in_days">
          <option value="7">7 days</option><option value="14" selected>14 days</option>
          <option value="30">30 days</option><option value="90">90 days</option></select></label>
        <label>From (empty: everything) <input name="from" type="date"></label>
      </div>
      <label>Up to (empty: up to each day it is opened) <input name="to" type="date"></label>
      <label class="inline"><input type="checkbox" name="include_notes"> Include my notes</label>
      <button type="submit">Make a link</button>
    </form>
    <div id="new-link" role="status"></div>
    <h3>Your links</h3><ul id="links"></ul>
    <h3>Care team</h3>
    <button type="button" id="invite">Make an invite code for a clinician</button>
    <p id="invite-code" role="status"></p>
    <ul id="team"></ul>
    <h3>Who looked</h3><ul id="audit"></ul>`;
  const links = root.querySelector("#links");
  const team = root.querySelector("#team");
  const audit = root.querySelector("#audit");

  // Ends someone's access, once the person is sure: it cannot be undone.
  const removeThen = async (question, path) => {
    if (!window.confirm(question)) return;
    await send("DELETE", path); // offline: the lists, loaded again, say so
    await load();
  };
  const load = async () => {
    try {
      const [shares, care, log] = await Promise.all([
        request("GET", "/api/v1/shares"), request("GET", "/api/v1/care-team"), request("GET", "/api/v1/audit?limit=50"),
      ]);
      links.replaceChildren(...shares.body.items.map((s) => {
        const li = item(`${s.label || "Link"} · ${s.status} · until ${s.expires_at.slice(0, 10)}`);
        if (s.status === "active") {
          const name = s.label ? `the link for ${s.label}` : "this link";
          const revoke = button("Revoke", () => removeThen(
            `Revoke ${name}? It stops working at once, for anyone who has it.`, `/api/v1/shares/${s.id}`));
          revoke.setAttribute("aria-label", `Revoke ${name}`);
          li.appendChild(revoke);
        }
        return li;
      }));
      team.replaceChildren(...care.body.items.map((c) => {
        const who = c.display_name || c.email;
        const li = item(who);
        const remove = button("Remove", () => removeThen(
          `Remove ${who} from your care team? They will no longer see your journal.`, `/api/v1/care-team/${c.id}`));
        remove.setAttribute("aria-label", `Remove ${who}`);
        li.appendChild(remove);
        return li;
      }));
      // A signed-in clinician by name; a share link by its label, said to be a link.
      const by = (a) => (a.actor === "clinician"
        ? `${a.who || "A clinician"} (signed in)` : `Your link${a.who ? ` "${a.who}"` : ""}`);
      audit.replaceChildren(...log.body.items.map((a) =>
        item(`${a.at.slice(0, 16).replace("T", " ")} · ${by(a)} ${ACTIONS[a.action] || a.action}`)));
    } catch {
      links.replaceChildren(item("You are offline: sharing needs the network."));
    }
  };

  root.querySelector("#share-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const body = { expires_in_days: Number(data.get("expires_in_days")), include_notes: data.get("include_notes") === "on" };
    if (data.get("label")) body.label = data.get("label");
    if (data.get("from")) body.from = data.get("from");
    if (data.get("to")) body.to = data.get("to");
    const out = root.querySelector("#new-link");
    const said = (text) => {
      const p = document.createElement("p");
      p.className = "message error";
      p.textContent = text;
      out.replaceChildren(p);
    };
    const answer = await send("POST", "/api/v1/shares", body);
    if (answer.status !== 201) {
      said(namedProblems(answer.body, SHARE_FIELDS, "The link was not made."));
      return;
    }
    const url = new URL(answer.body.url, window.location.origin).href;
    const shown = document.createElement("p");
    shown.className = "link";
    shown.textContent = `Your link (shown once): ${url}`;
    const actions = document.createElement("p");
    actions.appendChild(button("Copy", () => navigator.clipboard && navigator.clipboard.writeText(url)));
    if (navigator.share) actions.appendChild(button("Share…", () => navigator.share({ title: "My journal summary", url })));
    out.replaceChildren(shown, actions);
    load();
  });

  root.querySelector("#invite").addEventListener("click", async () => {
    const out = root.querySelector("#invite-code");
    const answer = await send("POST", "/api/v1/care-team/invites");
    out.textContent = answer.status === 201
      ? `Code: ${answer.body.code} (one use, until ${answer.body.expires_at.slice(0, 10)})`
      : (answer.body && answer.body.message) || "No code was made. Try again in a while.";
  });
  await load();
}
