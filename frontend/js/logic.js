// Pure helpers of the app: no DOM, no network. Tested in the browser tests.

/** The current moment as ISO 8601 with this device's UTC offset, e.g. 2026-03-10T21:15:00+01:00. */
export function nowWithOffset(date = new Date()) {
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, "0");
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`
  );
}

/** The local calendar date (YYYY-MM-DD) of an ISO timestamp as it was written. */
export function localDate(iso) {
  return iso.slice(0, 10);
}

const MEASURES = ["mood", "anxiety", "sleep_hours", "sleep_quality", "dissociation", "systolic", "diastolic", "heart_rate"];

// What the API checks, field by field (PRODUCT.md), with the words a person reads.
const RANGES = {
  mood: [0, 10, "Mood"],
  anxiety: [0, 10, "Anxiety"],
  sleep_quality: [0, 10, "Sleep quality"],
  dissociation: [0, 10, "Dissociation"],
  sleep_hours: [0, 24, "Hours slept"],
  systolic: [60, 260, "Blood pressure, upper number"],
  diastolic: [30, 160, "Blood pressure, lower number"],
  heart_rate: [25, 250, "Heart rate"],
};
export const NOTE_LIMIT = 2000;

/** Returns {field: message} for a check-in the API would refuse; empty when it is fine. */
export function checkinProblems(values) {
  const problems = {};
  if (MEASURES.every((name) => values[name] === undefined || values[name] === null)) {
    problems.mood = "Give at least one answer, for example your mood.";
  }
  for (const [name, [low, high, label]] of Object.entries(RANGES)) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    if (Number.isNaN(value) || value < low || value > high) {
      problems[name] = `${label}: give a number from ${low} to ${high}.`;
    } else if (name === "sleep_hours" ? (value * 4) % 1 !== 0 : !Number.isInteger(value)) {
      problems[name] = name === "sleep_hours"
        ? "Hours slept: from 0 to 24, in quarters of an hour (7.25, 7.5, 7.75)."
        : `${label}: give a whole number.`;
    }
  }
  const hasSystolic = values.systolic != null;
  const hasDiastolic = values.diastolic != null;
  if (hasSystolic !== hasDiastolic) {
    problems[hasSystolic ? "diastolic" : "systolic"] = "Blood pressure: give both numbers, upper and lower.";
  } else if (hasSystolic && !problems.systolic && !problems.diastolic && values.diastolic >= values.systolic) {
    problems.diastolic = "Blood pressure: the lower number must be below the upper one.";
  }
  if (values.note && values.note.length > NOTE_LIMIT) {
    problems.note = `Note: at most ${NOTE_LIMIT} characters (this one has ${values.note.length}).`;
  }
  if (values.recorded_at && Date.parse(values.recorded_at) > Date.now() + 5 * 60 * 1000) {
    problems.recorded_at = "When: a check-in cannot be in the future.";
  }
  return problems;
}

/** ISO 8601 with the UTC offset this device had at that moment, from an <input
 * type="datetime-local"> value ("2026-03-10T21:15"), or null when it is not one. */
export function isoFromLocalInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value || "")) return null;
  const date = new Date(value); // read as local time, with the offset of that date (DST)
  return Number.isNaN(date.getTime()) ? null : nowWithOffset(date);
}

/** The value an <input type="datetime-local"> shows for an ISO timestamp, in the time it
 * was written with ("2026-03-10T21:15"). */
export function localInputValue(iso) {
  return iso.slice(0, 16);
}

/** "1 day", "2 days": a count with its noun, singular or plural. */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/** Whether a metric has enough days of data to show its slope (7 days or more). */
export function enoughForTrend(metric) {
  return Boolean(metric) && metric.daily.length >= 7;
}

/** The [start, end] seconds a chart's time axis spans: its data, a day either side of a
 * single day, never empty future (the summary period may run past today). */
export function chartSpan(daily) {
  const noon = (day) => Date.parse(`${day}T12:00:00Z`) / 1000;
  const first = noon(daily[0].date);
  const last = noon(daily[daily.length - 1].date);
  return first === last ? [first - 86400, last + 86400] : [first, last];
}

/** The flags a check-in raises at once, with what to do, from the clinic's settings. */
export function checkinFlags(values, phase, settings) {
  const alert = settings.bp_alert;
  const predose = settings.bp_before_session;
  const flags = [];
  if (values.systolic == null) return flags;
  if (values.systolic >= alert.systolic || values.diastolic >= alert.diastolic) {
    flags.push({
      kind: "bp_high",
      text: `Your blood pressure (${values.systolic}/${values.diastolic}) is at or above `
        + `${alert.systolic}/${alert.diastolic}, a level that needs attention now: tell your care team. `
        + "Call your local emergency number if you have chest pain, a severe headache, or trouble seeing or speaking.",
    });
  } else if (phase === "pre" && (values.systolic > predose.systolic || values.diastolic > predose.diastolic)) {
    flags.push({
      kind: "bp_before_session",
      text: `Your blood pressure before the session (${values.systolic}/${values.diastolic}) is above `
        + `${predose.systolic}/${predose.diastolic}. Tell the clinic staff before your dose: they may decide to wait.`,
    });
  }
  return flags;
}

/** The clinic's settings the app falls back on before it has fetched them (CLINICAL.md). */
export const DEFAULT_SETTINGS = {
  bp_alert: { systolic: 180, diastolic: 120 },
  bp_rise: { systolic: 40, diastolic: 25 },
  bp_before_session: { systolic: 140, diastolic: 90 },
};

/** Text split into plain parts and phone numbers ({text, tel}) to show as tappable links. */
export function phoneParts(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(/\+?\d[\d ()-]{1,14}\d|\b\d{3}\b/g)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: match[0], tel: match[0].replace(/[^\d+]/g, "") });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** "n waiting to sync" or "All synced". */
export function syncLabel(waiting) {
  if (waiting === 0) return "All synced";
  return `${waiting} waiting to sync`;
}

/** Text made safe to put inside HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** The crisis text as HTML with every phone number a tappable tel: link. */
export function crisisHtml(text) {
  return phoneParts(text)
    .map((part) => (part.tel ? `<a href="tel:${part.tel}">${escapeHtml(part.text)}</a>` : escapeHtml(part.text)))
    .join("");
}

/** When the next treatment session probably is, for planning it in two taps: after the
 * latest session (planned or past) by the gap between the last two (7 days with only one),
 * at the same clock time, moved on by that gap until it is in the future. Returns the
 * datetime-local value, the gap in days and the latest session, or null with no session. */
export function nextSessionSuggestion(sessions, now = new Date()) {
  const times = sessions
    .map((s) => ({ session: s, at: Date.parse(s.started_at) }))
    .filter((s) => !Number.isNaN(s.at))
    .sort((a, b) => a.at - b.at);
  if (!times.length) return null;
  const latest = times[times.length - 1];
  let days = 7;
  if (times.length > 1) {
    const gap = Math.round((latest.at - times[times.length - 2].at) / 86400000);
    days = Math.min(56, Math.max(1, gap));
  }
  // The clock time as written, kept on the new date (so across a daylight-saving change).
  const [date, clock] = latest.session.started_at.slice(0, 16).split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = clock.split(":").map(Number);
  let step = days;
  let next = new Date(year, month - 1, day + step, hour, minute);
  while (next <= now) {
    step += days;
    next = new Date(year, month - 1, day + step, hour, minute);
  }
  const pad = (n) => String(n).padStart(2, "0");
  const when = `${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}T${pad(next.getHours())}:${pad(next.getMinutes())}`;
  return { when, days, after: latest.session };
}

/** What the server found wrong with a form, each field named by its label on screen. */
export function namedProblems(body, labels, fallback) {
  const fields = (body && body.errors && body.errors.json) || {};
  const lines = Object.entries(fields).map(([name, text]) => `${labels[name] || name}: ${[text].flat().join(" ")}`);
  return lines.join(" ") || (body && body.message) || fallback;
}
