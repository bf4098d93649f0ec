// The app: who is signed in, which view shows, and keeping the outbox moving.
import { forgetToken, request } from "./api.js";
import { syncLabel } from "./logic.js";
import { clearOutbox, flush, pending } from "./outbox.js";
import { forgetAll, recall, remember } from "./store.js";
import { mountAuth } from "./views/auth.js";
import { mountPatients } from "./views/patients.js";
import { mountToday } from "./views/today.js";

const root = document.getElementById("app");
const status = document.getElementById("sync-status");

async function showSync() {
  const waiting = (await pending()).length;
  status.textContent = syncLabel(waiting);
  status.classList.toggle("waiting", waiting > 0);
}

async function refreshSessions() {
  try {
    const answer = await request("GET", "/api/v1/sessions?limit=50");
    if (answer.status === 200) await remember("sessions", answer.body.items);
  } catch {
    // offline: keep what this device has
  }
}

function showAuth(offline = false) {
  status.textContent = "";
  mountAuth(root, {
    offline,
    onSignedIn: async (user) => {
      await remember("user", user);
      signedIn(user);
    },
  });
}

function signedIn(user) {
  root.innerHTML = "";
  const nav = document.createElement("nav");
  nav.className = "tabs";
  nav.setAttribute("aria-label", "Account");
  const hello = document.createElement("span");
  hello.className = "muted";
  hello.textContent = `Signed in as ${user.display_name || user.email}`;
  nav.appendChild(hello);
  const out = document.createElement("button");
  out.type = "button";
  out.className = "secondary";
  out.textContent = "Sign out";
  out.addEventListener("click", signOut);
  nav.appendChild(out);
  const view = document.createElement("section");
  root.append(nav, view);
  if (user.role === "clinician") {
    mountPatients(view);
    return;
  }
  mountToday(view);
  showSync();
  refreshSessions().then(() => flush());
}

async function signOut() {
  const waiting = (await pending()).length;
  if (waiting && !window.confirm(`${waiting} check-ins have not synced yet. Sign out and lose them?`)) return;
  try {
    await request("POST", "/api/v1/auth/logout");
  } catch {
    // offline: the server session expires on its own; this device forgets everything now
  }
  forgetToken();
  await Promise.all([forgetAll(), clearOutbox()]);
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage("sign-out");
  }
  showAuth();
}

async function start() {
  window.addEventListener("outbox-changed", showSync);
  window.addEventListener("online", () => flush());
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  try {
    const answer = await request("GET", "/api/v1/auth/me");
    if (answer.status === 200) {
      await remember("user", answer.body);
      signedIn(answer.body);
    } else {
      showAuth();
    }
  } catch {
    const user = await recall("user");
    if (user) signedIn(user);
    else showAuth(true);
  }
}

start();
