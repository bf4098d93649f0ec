// This device's copy of the journal, for reading when offline, in IndexedDB.
import { clear, createStore, get, set } from "../vendor/idb-keyval-6.3.0/idb-keyval.js";
import { request } from "./api.js";

const cache = createStore("symptom-journal-cache", "data");

export const remember = (key, value) => set(key, value, cache);
export const recall = (key) => get(key, cache);
export const forgetAll = () => clear(cache);

// Fetch again what the screens need offline: the sessions (to attach a check-in to), the
// questionnaires and the clinic's settings. Offline, this device keeps what it has.
export async function refreshCopy() {
  try {
    const [sessions, instruments, clinical] = await Promise.all([
      request("GET", "/api/v1/sessions?limit=50"),
      request("GET", "/api/v1/instruments"),
      request("GET", "/api/v1/clinical-settings"),
    ]);
    if (sessions.status === 200) await remember("sessions", sessions.body.items);
    if (instruments.status === 200) await remember("instruments", instruments.body.items);
    if (clinical.status === 200) await remember("clinical", clinical.body);
  } catch {
    // offline: keep what this device has
  }
}
