// Reminders, in Settings: when to be reminded, what is coming up, and a calendar link.
import { OFFLINE, request, send } from "../api.js";

const NUMBERS = ["before_session_minutes", "after_session_minutes", "questionnaire_every_days"];
const TIMES = ["daily_time", "quiet_start", "quiet_end"];
const CHECKS = ["enabled", "next_morning", "include_pcl5", "by_email"];
const KINDS = {
  daily: "Daily check-in",
  before_session: "Before your session",
  after_session: "After your session",
  next_morning: "The morning after",
  questionnaires: "Questionnaires",
};

function formHtml(tz) {
  return `
    <h3 id="reminders-title">Reminders</h3>
    <form id="reminders-form" novalidate aria-labelledby="reminders-title">
      <label class="inline"><input type="checkbox" name="enabled"> Remind me</label>
      <p class="muted">Times are in your time zone, ${tz}. Leave a box empty for no reminder of that kind.</p>
      <label>Daily check-in at <input type="time" name="daily_time"></label>
      <label>Before a session, minutes ahead <input type="number" name="before_session_minutes" min="5" max="720" inputmode="numeric"></label>
      <label>After a session starts, minutes later <input type="number" name="after_session_minutes" min="15" max="720" inputmode="numeric"></label>
      <label class="inline"><input type="checkbox" name="next_morning"> The morning after a session (at the daily time, or 09:00)</label>
      <label>Questionnaires every (days) <input type="number" name="questionnaire_every_days" min="7" max="90" inputmode="numeric"></label>
      <label class="inline"><input type="checkbox" name="include_pcl5"> Include the PCL-5 (PTSD) questionnaire</label>
      <label>Quiet hours from <input type="time" name="quiet_start"></label>
      <label>Quiet hours until <input type="time" name="quiet_end"></label>
      <label class="inline"><input type="checkbox" name="by_email"> By email</label>
      <p id="email-note" class="muted"></p>
      <button type="submit" class="secondary">Save reminders</button>
    </form>
    <p id="reminders-message" class="message hidden" role="status"></p>
    <h4>Coming up</h4>
    <ul id="upcoming"></ul>
    <h4>In your calendar</h4>
    <p class="muted">A private link your calendar app can subscribe to: your planned sessions, with
      alarms for the check-ins. It names no treatment or dose. Anyone with the link sees your
      session times, so keep it to yourself; making a new one ends the old.</p>
    <button id="calendar-make" type="button" class="secondary">Get a calendar link</button>
    <button id="calendar-stop" type="button" class="secondary">Stop the calendar link</button>
    <p id="calendar-url" class="hidden"></p>`;
}

function fill(form, settings) {
  for (const name of CHECKS) form.elements[name].checked = Boolean(settings[name]);
  for (const name of [...NUMBERS, ...TIMES]) form.elements[name].value = settings[name] ?? "";
}

function read(form) {
  const body = {};
  for (const name of CHECKS) body[name] = form.elements[name].checked;
  for (const name of TIMES) body[name] = form.elements[name].value || null;
  for (const name of NUMBERS) {
    const raw = form.elements[name].value.trim();
    body[name] = raw === "" ? null : Number(raw);
  }
  return body;
}

function upcomingItems(items) {
  if (!items.length) {
    const li = document.createElement("li");
    li.textContent = "Nothing in the next 7 days.";
    return [li];
  }
  return items.map((item) => {
    const li = document.createElement("li");
    const when = new Date(item.due_at).toLocaleString([], {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
    li.textContent = `${when}: ${KINDS[item.kind] || item.kind}`;
    return li;
  });
}

function base64url(buffer) {
  if (!buffer) return "";
  const text = btoa(String.fromCharCode(...new Uint8Array(buffer)));
  return text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// This browser's push subscription, made (after the patient tapped Save with "Remind me"
// on) or renewed, and sent to the server; returns a sentence for the patient.
export async function subscribeToPush() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "This browser cannot show notifications: reminders come by email or calendar.";
  }
  if (Notification.permission !== "granted") {
    return "Notifications are not allowed for this site: reminders come by email or calendar.";
  }
  try {
    const registration = await navigator.serviceWorker.ready;
    const key = await request("GET", "/api/v1/reminders/push/key");
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && base64url(subscription.options.applicationServerKey) !== key.body.public_key) {
      await subscription.unsubscribe(); // made with a key the journal no longer signs with
      subscription = null;
    }
    subscription = subscription
      || await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key.body.public_key });
    const saved = await request("POST", "/api/v1/reminders/push/subscriptions", subscription.toJSON());
    return saved.status === 201 ? "" : "This device could not be set up for notifications.";
  } catch {
    return "This device could not be set up for notifications (no push service reachable).";
  }
}

export async function mountReminders(root) {
  let answer;
  try {
    answer = await request("GET", "/api/v1/reminders/settings");
  } catch {
    root.innerHTML = `<h3>Reminders</h3><p class="muted">Reminders can be changed when you are online.</p>`;
    return;
  }
  const settings = answer.body;
  root.innerHTML = formHtml(settings.timezone);
  const form = root.querySelector("#reminders-form");
  const message = root.querySelector("#reminders-message");
  const say = (text, error = false) => {
    message.textContent = text;
    message.classList.remove("hidden");
    message.classList.toggle("error", error);
  };
  fill(form, settings);
  const emailNote = root.querySelector("#email-note");
  if (!settings.email_available) {
    form.elements.by_email.disabled = true;
    emailNote.textContent = "This journal has no mail set up, so email reminders are off. Ask your clinic, or use the calendar link.";
  }
  const showUpcoming = async () => {
    const list = await send("GET", "/api/v1/reminders/upcoming?days=7");
    if (list.status === 200) root.querySelector("#upcoming").replaceChildren(...upcomingItems(list.body.items));
  };
  const showCalendar = (active) => {
    root.querySelector("#calendar-stop").hidden = !active;
  };
  showCalendar(settings.calendar_active);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Asked only now, from the tap, and only when reminders are being turned on.
    const asking = form.elements.enabled.checked && "Notification" in window && Notification.permission === "default"
      ? Notification.requestPermission() : Promise.resolve();
    const saved = await send("PUT", "/api/v1/reminders/settings", read(form));
    if (saved.status === 200) {
      fill(form, saved.body);
      await asking.catch(() => undefined);
      const problem = saved.body.enabled ? await subscribeToPush() : "";
      say(saved.body.enabled ? `Reminders saved. ${problem}`.trim() : "Saved. Reminders are off.");
      showUpcoming();
      return;
    }
    const errors = (saved.body && saved.body.errors && saved.body.errors.json) || {};
    const named = Object.entries(errors).map(([field, texts]) => {
      const label = form.elements[field] && form.elements[field].closest("label");
      const name = label ? label.textContent.trim() : field;
      return `${name}: ${[].concat(texts).join(" ")}`;
    });
    say(named.join(" ") || (saved.body && saved.body.message) || "Not saved.", true);
  });
  root.querySelector("#calendar-make").addEventListener("click", async () => {
    const made = await send("POST", "/api/v1/reminders/calendar");
    if (made.status !== 201) return say(made.status ? "Could not make a calendar link." : OFFLINE, true);
    const url = new URL(made.body.url, window.location.origin).href;
    const shown = root.querySelector("#calendar-url");
    shown.textContent = `Your calendar link (shown once): ${url}`;
    shown.classList.remove("hidden");
    showCalendar(true);
  });
  root.querySelector("#calendar-stop").addEventListener("click", async () => {
    const stopped = await send("DELETE", "/api/v1/reminders/calendar");
    if (stopped.status !== 204) return say(stopped.status ? "The calendar link was not stopped." : OFFLINE, true);
    root.querySelector("#calendar-url").classList.add("hidden");
    showCalendar(false);
    say("The calendar link no longer works.");
  });
  await showUpcoming();
}
