// This device's copy of the journal, for reading when offline, in IndexedDB.
import { clear, createStore, get, set } from "../vendor/idb-keyval-6.3.0/idb-keyval.js";

const cache = createStore("symptom-journal-cache", "data");

export const remember = (key, value) => set(key, value, cache);
export const recall = (key) => get(key, cache);
export const forgetAll = () => clear(cache);
