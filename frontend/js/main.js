// The app: who is signed in, which view shows, and keeping the outbox moving.
import { SESSION_ENDED, forgetToken, request } from "./api.js";
import { syncLabel } from "./logic.js";
import { clearOutbox, discard, flush, keepMine, pending, setOwner } from "./outbox.js";
import { forgetAll, recall, refreshCopy, remember } from "./store.js";
import { mountAuth } from "./views/auth.js";
import { mountHistory } from "./views/history.js";
import { mountPatients } from "./views/patients.js";
import { mountQuestionnaires } from "./views/questionnaires.js";
import { mountForgot, mountReset, mountVerify } from "./views/recovery.js";
import { subscribeToPush } from "./views/reminders.js";
import { mountSessions } from "./views/sessions.js";
import { mountSettings } from "./views/settings.js";
import { mountShare } from "./views/share.js";
import { mountToday } from "./views/today.js";
import { mountTrends } from "./views/trends.js";

const root = document.getElementById("app");
const status = document.getElementById("sync-status");

async function showSync() {
  const items = await pending();
  const conflicts = items.filter(([, item]) => item.state === "conflict");
  status.textContent = syncLabel(items.length - conflicts.length)
    + (conflicts.length ? ` · ${conflicts.length} need${conflicts.length === 1 ? "s" : ""} your decision` : "");
  status.classList.toggle("waiting", items.length > 0);
  showConflicts(conflicts);
}

function showConflicts(conflicts) {
  // A write the server refused (another version is stored, or the data is invalid): the
  // person chooses to keep theirs or the saved one; nothing is dropped silently.
  let panel = document.getElementById("conflicts");
  if (!conflicts.length) {
    if (panel) panel.remove();
    return;
  }
  if (!panel) {
    panel = document.createElement("section");
    panel.id = "conflicts";
    panel.setAttribute("aria-label", "Changes that need your decision");
    document.querySelector(".bar").after(panel);
  }
  panel.replaceChildren(...conflicts.map(([key, item]) => {
    const box = document.createElement("div");
    box.className = "message error";
    const text = document.createElement("p");
    text.textContent = `A ${item.label} you saved on this phone was not accepted: ${item.message}`;
    const theirs = document.createElement("button");
    theirs.type = "button";
    theirs.className = "secondary";
    if (item.status === 422) {
      // Refused for what it holds: there is no other version to choose, only to drop it.
      theirs.textContent = "Drop it";
      theirs.addEventListener("click", () => discard(key));
      box.append(text, theirs);
      return box;
    }
    const mine = document.createElement("button");
    mine.type = "button";
    mine.textContent = "Keep mine";
    mine.addEventListener("click", () => keepMine(key));
    theirs.textContent = "Keep the saved one";
    theirs.addEventListener("click", () => discard(key));
    box.append(text, mine, " ", theirs);
    return box;
  }));
}

// Signed out: sign in or register; #/forgot asks for a reset link, #/reset/<token> (the
// link in the mail) sets the new password.
function showAuth(offline = false, notice = "") {
  shown = null;
  setOwner(null);
  status.textContent = "";
  const token = resetToken();
  if (token) {
    mountReset(root, token, {
      onDone: (text) => {
        // Every session ended; what waits to sync here is sent once its person signs in.
        history.replaceState(null, "", "/");
        showAuth(false, text);
      },
    });
  } else if (window.location.hash === "#/forgot") {
    mountForgot(root, { onBack: () => { window.location.hash = ""; } });
  } else {
    mountAuth(root, {
      offline,
      notice,
      onSignedIn: async (user) => {
        // Someone else signed in here before: nothing of theirs stays in view (their
        // waiting writes stay in the outbox, for them).
        const before = await recall("user");
        if (before && before.id !== user.id) await forgetCopy();
        await remember("user", user);
        signedIn(user);
      },
    });
  }
  window.onhashchange = () => showAuth(offline);
}

function resetToken() {
  const found = window.location.hash.match(/^#\/reset\/([A-Za-z0-9_-]{1,100})$/);
  return found ? found[1] : null;
}

function verifyToken() {
  const found = window.location.hash.match(/^#\/verify\/([A-Za-z0-9_.-]{1,300})$/);
  return found ? found[1] : null;
}

let mounting = 0;

// A screen is busy until what it loads has come (its mount resolves then): screen readers
// wait for it, and a tap aimed at a button is not moved off it by a section arriving above.
function showBusy(view, mount) {
  const mine = ++mounting;
  view.setAttribute("aria-busy", "true");
  Promise.resolve(mount()).finally(() => {
    if (mine === mounting) view.setAttribute("aria-busy", "false");
  });
}

let shown = null; // the person whose journal is on screen

function signedIn(user) {
  shown = user;
  setOwner(user.id);
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
  if (user.role === "clinician") {
    root.append(nav, view);
    showBusy(view, () => mountPatients(view));
    return;
  }
  const tabs = document.createElement("nav");
  tabs.className = "tabs";
  tabs.setAttribute("aria-label", "Journal");
  tabs.innerHTML = Object.entries(SCREENS)
    .map(([hash, [label]]) => `<a href="#/${hash}">${label}</a>`).join("");
  root.append(nav, tabs, view);
  const route = () => {
    const hash = window.location.hash.replace("#/", "") || "today";
    const [, mount] = SCREENS[hash] || SCREENS.today;
    tabs.querySelectorAll("a").forEach((a) => {
      if (a.getAttribute("href") === `#/${hash}`) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    view.replaceChildren();
    showBusy(view, () => mount(view, { user, onSignedOut: forgetEverything }));
  };
  window.onhashchange = route;
  // The screens read the sessions and the clinic's settings this device keeps: fetch them
  // first when online (offline, what was kept last time).
  refreshCopy().then(() => {
    route();
    flush();
    // A browser may renew or drop its push subscription: send the current one each start.
    if ("Notification" in window && Notification.permission === "granted") subscribeToPush();
  });
  showSync();
}

const SCREENS = {
  today: ["Today", (view) => mountToday(view)],
  sessions: ["Sessions", (view) => mountSessions(view)],
  history: ["History", (view) => mountHistory(view)],
  trends: ["Trends", (view) => mountTrends(view)],
  questionnaires: ["Questionnaires", (view) => mountQuestionnaires(view)],
  share: ["Share", (view) => mountShare(view)],
  settings: ["Settings", (view, options) => mountSettings(view, options)],
};

async function signOut() {
  const waiting = (await pending()).length;
  if (waiting && !window.confirm(`${waiting} check-ins have not synced yet. Sign out and lose them?`)) return;
  try {
    await request("POST", "/api/v1/auth/logout");
  } catch {
    // offline: the server session expires on its own; this device forgets everything now
  }
  await forgetEverything();
}

// This device's copy of the journal: the kept reads and the worker's cached answers.
function forgetCopy() {
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage("sign-out");
  }
  return forgetAll();
}

function leaveScreen() {
  // Without a hashchange event: the sign-in screen is shown once, not again after it.
  window.onhashchange = null;
  history.replaceState(null, "", window.location.pathname);
}

async function forgetEverything() {
  forgetToken();
  await Promise.all([forgetCopy(), clearOutbox()]);
  leaveScreen();
  showAuth();
}

const SIGNED_OUT = "You were signed out (a while without use, or from another device).";

// The server ended this sign-in (a new password set elsewhere, this device signed out from
// another, a while without use): sign in again. What waits to sync stays for its person.
function sessionEnded() {
  if (!shown) return;
  forgetToken();
  leaveScreen();
  showAuth(false, SIGNED_OUT);
}

async function start() {
  // A link from a mail opened in a tab where the app runs already: start again with it.
  window.addEventListener("hashchange", () => {
    if (resetToken() || verifyToken()) window.location.reload();
  });
  window.addEventListener("outbox-changed", showSync);
  window.addEventListener(SESSION_ENDED, sessionEnded);
  window.addEventListener("online", () => flush());
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data === "flush") flush();
    });
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  if (resetToken()) {
    showAuth(); // a link from a reset mail, whoever is signed in here
    return;
  }
  if (verifyToken()) {
    // A link that confirms an address: confirm, then carry on as usual.
    mountVerify(root, verifyToken(), {
      onDone: () => window.location.replace("/"),
    });
    return;
  }
  try {
    const answer = await request("GET", "/api/v1/auth/me");
    if (answer.status === 200) {
      await remember("user", answer.body);
      signedIn(answer.body);
    } else {
      // Someone was signed in here when the app last ran: their sign-in has ended since.
      showAuth(false, (await recall("user")) ? SIGNED_OUT : "");
    }
  } catch {
    const user = await recall("user");
    if (user) signedIn(user);
    else showAuth(true);
  }
}

start();
