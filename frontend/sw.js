// Service worker: the versioned app shell from the cache, /api reads network-first with the
// last answer as a fallback, writes never cached, and nothing kept after signing out.
// The server names the current assets' folder, /assets/<digest of the files>/, as it serves
// this file: any change to a file changes this worker, which then caches the new shell.
const ASSETS = "{{ASSETS}}";
const SHELL = `shell-${ASSETS}`;
const API = "api-data";
const FILES = [
  "/",
  "/manifest.webmanifest",
  ...[
    "css/app.css",
    "js/main.js",
    "js/api.js",
    "js/logic.js",
    "js/outbox.js",
    "js/store.js",
    "js/views/account.js",
    "js/views/auth.js",
    "js/views/factors.js",
    "js/views/history.js",
    "js/views/patients.js",
    "js/views/questionnaires.js",
    "js/views/recovery.js",
    "js/views/reminders.js",
    "js/views/sessions.js",
    "js/views/settings.js",
    "js/views/share.js",
    "js/views/today.js",
    "js/views/trends.js",
    "vendor/uplot-1.6.32/uPlot.esm.js",
    "vendor/uplot-1.6.32/uPlot.min.css",
    "vendor/idb-keyval-6.3.0/idb-keyval.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
  ].map((file) => `${ASSETS}/${file}`),
];
// Server pages with data of their own: always from the network, never cached here.
const NETWORK_ONLY = ["/s/", "/clinician/", "/api/docs", "/api/v1/export", "/api/v1/auth/csrf", "/api/v1/auth/options"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== API).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("sync", (event) => {
  // Background Sync: tell the open app to send what waits in its outbox.
  if (event.tag === "outbox") {
    event.waitUntil(self.clients.matchAll().then((clients) => clients.forEach((c) => c.postMessage("flush"))));
  }
});

// Reminders (Web Push): a notification for every push, as browsers require; a tap opens
// the screen it names; a subscription the browser renewed is sent to the server again.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(self.registration.showNotification(data.title || "Symptom Journal", {
    body: data.body || "Time for your check-in.",
    tag: data.tag,
    icon: `${ASSETS}/icons/icon-192.png`,
    data: { url: data.url || "/#/today" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/#/today", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => "focus" in client);
    if (open) return open.navigate(url).then((client) => (client || open).focus());
    return self.clients.openWindow(url);
  }));
});

async function sendSubscription(subscription) {
  const csrf = await (await fetch("/api/v1/auth/csrf", { credentials: "same-origin" })).json();
  await fetch("/api/v1/reminders/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf.csrf_token },
    body: JSON.stringify(subscription.toJSON()),
  });
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil((async () => {
    const key = await (await fetch("/api/v1/reminders/push/key", { credentials: "same-origin" })).json();
    const renewed = event.newSubscription || await self.registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: key.public_key,
    });
    await sendSubscription(renewed);
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "sign-out") event.waitUntil(caches.delete(API));
});

async function networkFirst(request) {
  const cache = await caches.open(API);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (!cached) throw error;
    // Marked as the last answer kept, so that a screen can say it is from the last sync
    // (its Date header says when).
    const headers = new Headers(cached.headers);
    headers.set("X-From-Cache", "1");
    return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
  }
}

async function shellFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return; // writes: network only
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith("/api/")) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(caches.match("/").then((shell) => shell || fetch(request)));
  } else {
    event.respondWith(shellFirst(request));
  }
});
