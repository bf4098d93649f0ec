// The account's own sections, in Settings and, for clinicians, under Your account: the
// signed-in devices (signing one out) and a new password.
import { OFFLINE, send } from "../api.js";
import { namedProblems } from "../logic.js";
import { mountSignInActivity } from "./factors.js";

// How each device's sign-in passed the second step, if it did.
const SIGNED_IN_WITH = {
  totp: "with an app code",
  recovery_code: "with a recovery code",
  passkey: "with a passkey",
};
const PASSWORD_FIELDS = { current_password: "Current password", new_password: "New password" };

/** A function that shows a text in `message` (a status line under a form), as an error or not. */
export function sayIn(message) {
  return (text, error = false) => {
    message.textContent = text;
    message.classList.remove("hidden");
    message.classList.toggle("error", error);
  };
}

/** The signed-in devices, each other one with "Sign out there"; resolves once listed. */
export async function mountDevices(root) {
  root.innerHTML = `
    <h3 id="devices-title">Signed-in devices</h3><ul id="devices"></ul>
    <p id="devices-message" class="message hidden" role="status"></p>`;
  const list = root.querySelector("#devices");
  const say = sayIn(root.querySelector("#devices-message"));
  const show = async () => {
    const answer = await send("GET", "/api/v1/auth/sessions");
    if (answer.status !== 200) {
      say(answer.status ? answer.body.message : "You are offline: the list shows when you are connected.", true);
      return;
    }
    list.replaceChildren(...answer.body.items.map((d) => {
      const li = document.createElement("li");
      li.textContent = `${d.current ? "This device" : d.user_agent || "A device"} · since ${d.created_at.slice(0, 10)}`
        + (SIGNED_IN_WITH[d.second_factor] ? ` · ${SIGNED_IN_WITH[d.second_factor]}` : "");
      if (!d.current) {
        const out = document.createElement("button");
        out.type = "button";
        out.className = "secondary";
        out.textContent = "Sign out there";
        out.addEventListener("click", async () => {
          const gone = await send("DELETE", `/api/v1/auth/sessions/${d.id}`);
          if (gone.status === 204) say("Signed out there.");
          else say(gone.status ? gone.body.message || "That device was not signed out." : OFFLINE, true);
          if (gone.status) show();
        });
        li.appendChild(out);
      }
      return li;
    }));
  };
  await show();
}

/** The devices and "Change password", after which the devices and the sign-in activity are
 * shown again (every other device is signed out); resolves once the devices are listed. */
export function mountDevicesAndPassword({ devices, password, activity }) {
  mountPasswordChange(password, {
    onChanged: () => {
      mountDevices(devices);
      mountSignInActivity(activity);
    },
  });
  return mountDevices(devices);
}

/** "Change password"; `onChanged` runs once it is changed (every other device is signed out). */
function mountPasswordChange(root, { onChanged }) {
  root.innerHTML = `
    <h3 id="password-title">Change password</h3>
    <form id="password-form" novalidate>
      <label>Current password <input name="current_password" type="password" autocomplete="current-password"></label>
      <label>New password <input name="new_password" type="password" autocomplete="new-password" minlength="12"></label>
      <button type="submit" class="secondary">Change password</button>
    </form>
    <p id="password-message" class="message hidden" role="status"></p>`;
  const say = sayIn(root.querySelector("#password-message"));
  root.querySelector("#password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const answer = await send("POST", "/api/v1/auth/password", {
      current_password: data.get("current_password"), new_password: data.get("new_password"),
    });
    if (answer.status === 204) {
      say("Password changed. Your other devices are signed out.");
      event.target.reset();
      onChanged();
      return;
    }
    say(namedProblems(answer.body, PASSWORD_FIELDS, "The password was not changed."), true);
  });
}
