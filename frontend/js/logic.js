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

/** Returns {field: message} for a check-in the API would refuse; empty when it is fine. */
export function checkinProblems(values) {
  const problems = {};
  if (MEASURES.every((name) => values[name] === undefined || values[name] === null)) {
    problems.mood = "Give at least one answer, for example your mood.";
  }
  if (values.sleep_hours != null && (values.sleep_hours < 0 || values.sleep_hours > 24 || (values.sleep_hours * 4) % 1 !== 0)) {
    problems.sleep_hours = "Hours from 0 to 24, in quarters of an hour.";
  }
  const hasSystolic = values.systolic != null;
  const hasDiastolic = values.diastolic != null;
  if (hasSystolic !== hasDiastolic) {
    problems[hasSystolic ? "diastolic" : "systolic"] = "Give both blood pressure numbers.";
  } else if (hasSystolic && values.diastolic >= values.systolic) {
    problems.diastolic = "The lower number must be below the upper one.";
  }
  return problems;
}

/** "n waiting to sync" or "All synced". */
export function syncLabel(waiting) {
  if (waiting === 0) return "All synced";
  return `${waiting} waiting to sync`;
}
