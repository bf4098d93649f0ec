// Writes wait here, in IndexedDB, until the server has acknowledged them.
// They are sent in the order they were made, each as a PUT with its client-made id, so a
// write sent twice (a retry after a lost answer) is still stored once.
import { createStore, del, delMany, entries, set, update } from "../vendor/idb-keyval-6.3.0/idb-keyval.js";
import { request } from "./api.js";

const box = createStore("symptom-journal-outbox", "writes");
let sequence = 0;
let flushing = null;
// Whose writes are sent and shown: the person signed in here (null: nobody). A write made
// by someone whose sign-in then ended waits for them, unseen by anyone else signing in.
let owner = null;

/** Say who is signed in on this device now (null when nobody is). */
export function setOwner(id) {
  owner = id;
  changed();
}

// Writes queued before writes carried their maker go to the next person signed in.
const ours = ([, item]) => (item.owner === undefined ? owner !== null : item.owner === owner);

function changed() {
  window.dispatchEvent(new CustomEvent("outbox-changed"));
}

/** Queue a PUT of `body` to `url`; it is sent at once when online, later otherwise. */
export async function enqueue(url, body, label, version = null) {
  // Keys sort by time, then by a counter within the same millisecond. An edit carries the
  // version it was made from, sent as If-Match: a change made elsewhere meanwhile is a 412.
  const key = `${String(Date.now()).padStart(15, "0")}-${String(sequence++).padStart(6, "0")}`;
  await set(key, { url, body, label, version, state: "waiting", owner }, box);
  changed();
  const left = await flush();
  if (left > 0) askForBackgroundSync();
  return left;
}

function askForBackgroundSync() {
  // Where the browser has Background Sync, the worker wakes the app when the network is back.
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register("outbox"))
    .catch(() => {});
}

/** Replace the server's copy with the waiting write (the person chose theirs). */
export async function keepMine(key) {
  const item = (await pending()).find(([k]) => k === key)?.[1];
  if (!item) return;
  const current = await request("GET", item.url);
  if (current.status === 404 && item.status === 409) {
    await update(key, (old) => ({ ...old, message: "It was deleted meanwhile: it cannot be kept." }), box);
    changed();
    return;
  }
  if (current.status !== 200) {
    // Never stored (the server refused it): sending it again would be refused again.
    await update(key, (old) => ({ ...old, message: `${old.message} Change it and save it again.` }), box);
    changed();
    return;
  }
  const answer = await request("PUT", item.url, item.body, { "If-Match": `"${current.body.version}"` });
  if (answer.status === 200 || answer.status === 201) await del(key, box);
  changed();
}

/** The signed-in person's queued writes, oldest first, as [key, item] pairs. */
export async function pending() {
  const all = await entries(box);
  return all.filter(ours).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Send what waits, in order; stop at the first network failure. Resolves to the count left. */
export function flush() {
  if (!flushing) {
    flushing = drain().finally(() => {
      flushing = null;
    });
  }
  return flushing;
}

async function drain() {
  for (const [key, item] of await pending()) {
    if (item.state === "conflict") continue;
    let answer;
    try {
      const headers = item.version ? { "If-Match": `"${item.version}"` } : {};
      answer = await request("PUT", item.url, item.body, headers);
    } catch {
      break; // offline: try again later
    }
    if (answer.status === 200 || answer.status === 201) {
      await del(key, box);
    } else if (answer.status === 409 || answer.status === 412 || answer.status === 422) {
      // The server holds something else for this id, or refuses it: ask the person.
      await update(key, (old) => ({ ...old, state: "conflict", status: answer.status, message: refusal(answer) }), box);
    } else if (answer.status === 401) {
      break; // signed out: keep everything for after the next sign-in
    } else {
      break; // the server is unwell: try again later
    }
    changed();
  }
  changed();
  return (await pending()).length;
}

/** The server's reason for refusing a write, in words: each field it names and why. */
export function refusal(answer) {
  const body = answer.body || {};
  const fields = (body.errors && body.errors.json) || {};
  const named = Object.entries(fields).map(([name, messages]) =>
    `${name.replaceAll("_", " ")}: ${[].concat(...Object.values(typeof messages === "object" && !Array.isArray(messages) ? messages : { m: messages })).join(" ")}`);
  return named.length ? named.join("; ") : body.message || "The server refused this change.";
}

/** Drop a write the person chose not to keep. */
export async function discard(key) {
  await del(key, box);
  changed();
}

/** Forget every write the signed-in person has waiting (signing out). */
export async function clearOutbox() {
  await delMany((await pending()).map(([key]) => key), box);
  changed();
}
