// Settings: time zone, reminders, exports, signed-in devices, password, deleting the account.
import { request } from "../api.js";
import { mountPasskeys, mountSecondFactor, mountSignInActivity } from "./factors.js";
import { mountReminders } from "./reminders.js";

// How each device's sign-in passed the second step, if it did.
const SIGNED_IN_WITH = {
  totp: "with an app code",
  recovery_code: "with a recovery code",
  passkey: "with a passkey",
};

export async function mountSettings(root, { user, onSignedOut }) {
  const zones = (Intl.supportedValuesOf && Intl.supportedValuesOf("timeZone")) || [user.timezone];
  root.innerHTML = `
    <h2>Settings</h2>
    <form id="zone-form"><label>Time zone
      <select name="timezone">${zones.map((z) => `<option ${z === user.timezone ? "selected" : ""}>${z}</option>`).join("")}</select>
    </label><button type="submit" class="secondary">Save time zone</button></form>
    <section id="reminders"></section>
    <h3>Take your data with you</h3>
    <ul class="exports">
      <li><a href="/api/v1/export/entries.csv" download>Check-ins (CSV)</a></li>
      <li><a href="/api/v1/export/sessions.csv" download>Treatment sessions (CSV)</a></li>
      <li><a href="/api/v1/export/assessments.csv" download>Questionnaires (CSV)</a></li>
      <li><a href="/api/v1/export/json" download>Everything (JSON, to import elsewhere)</a></li>
      <li><a href="/api/v1/export/fhir" download>For a health record (FHIR)</a></li>
    </ul>
    <h3>Signed-in devices</h3><ul id="devices"></ul>
    <section id="second-factor" aria-labelledby="factor-title"></section>
    <section id="passkeys" aria-labelledby="passkeys-title"></section>
    <section id="sign-in-activity" aria-labelledby="activity-title"></section>
    <h3>Change password</h3>
    <form id="password-form" novalidate>
      <label>Current password <input name="current_password" type="password" autocomplete="current-password"></label>
      <label>New password <input name="new_password" type="password" autocomplete="new-password" minlength="12"></label>
      <button type="submit" class="secondary">Change password</button>
    </form>
    <h3>Delete your account</h3>
    <form id="delete-form" novalidate>
      <label>Password <input name="password" type="password" autocomplete="current-password"></label>
      <button type="submit" class="secondary">Delete my account and all my data</button>
    </form>
    <p id="settings-message" class="message hidden" role="status"></p>`;
  const message = root.querySelector("#settings-message");
  const say = (text, error = false) => {
    message.textContent = text;
    message.classList.remove("hidden");
    message.classList.toggle("error", error);
  };
  const devices = async () => {
    try {
      const answer = await request("GET", "/api/v1/auth/sessions");
      root.querySelector("#devices").replaceChildren(...answer.body.items.map((d) => {
        const li = document.createElement("li");
        li.textContent = `${d.current ? "This device" : d.user_agent || "A device"} · since ${d.created_at.slice(0, 10)}`
          + (SIGNED_IN_WITH[d.second_factor] ? ` · ${SIGNED_IN_WITH[d.second_factor]}` : "");
        if (!d.current) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "secondary";
          b.textContent = "Sign out there";
          b.addEventListener("click", async () => { await request("DELETE", `/api/v1/auth/sessions/${d.id}`); devices(); });
          li.appendChild(b);
        }
        return li;
      }));
    } catch {
      say("You are offline.", true);
    }
  };
  mountSignInActivity(root.querySelector("#sign-in-activity"));
  mountSecondFactor(root.querySelector("#second-factor"));
  mountPasskeys(root.querySelector("#passkeys"));
  root.querySelector("#zone-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await request("PATCH", "/api/v1/auth/me", { timezone: new FormData(event.target).get("timezone") });
    say(answer.status === 200 ? "Time zone saved." : "Could not save the time zone.", answer.status !== 200);
  });
  root.querySelector("#password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const answer = await request("POST", "/api/v1/auth/password", {
      current_password: data.get("current_password"), new_password: data.get("new_password"),
    });
    if (answer.status === 204) {
      say("Password changed. Your other devices are signed out.");
      event.target.reset();
      devices();
      activity();
    } else {
      const errors = (answer.body && answer.body.errors && answer.body.errors.json) || {};
      say(Object.values(errors).flat().join(" ") || (answer.body && answer.body.message) || "Not changed.", true);
    }
  });
  root.querySelector("#delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.confirm("Delete your account and everything in it? This cannot be undone.")) return;
    const answer = await request("DELETE", "/api/v1/account", { password: new FormData(event.target).get("password") });
    if (answer.status === 204) onSignedOut();
    else say("Wrong password: nothing was deleted.", true);
  });
  devices();
  mountReminders(root.querySelector("#reminders"));
}
