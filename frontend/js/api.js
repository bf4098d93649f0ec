// The JSON API, with the CSRF header every unsafe request needs.

let csrf = null;

// Calls whose 401 means "not these credentials", not "this sign-in has ended".
const SIGNING_IN = [
  "/api/v1/auth/login", "/api/v1/auth/passkey-login", "/api/v1/auth/register", "/api/v1/auth/logout",
  "/api/v1/auth/password-reset", "/api/v1/auth/verify-email",
];
/** Sent on `window` when the server answers that this device's sign-in has ended. */
export const SESSION_ENDED = "session-ended";

async function token() {
  if (csrf === null) {
    const response = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
    csrf = (await response.json()).csrf_token;
  }
  return csrf;
}

/** Forget the CSRF token (after signing out the server issues a new one). */
export function forgetToken() {
  csrf = null;
}

/**
 * Send a request; resolves to {status, body, cachedAt} for any HTTP answer and rejects only
 * when the network is unreachable (TypeError), which callers take as "offline". cachedAt is
 * null for a fresh answer, else when the service worker's kept copy was fetched (offline).
 */
export async function request(method, url, body, extraHeaders = {}) {
  const headers = { ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = await token();
  let response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 403 && method !== "GET") {
    // The token may have rotated (a new sign-in): fetch a fresh one and try once more.
    forgetToken();
    headers["X-CSRF-Token"] = await token();
    response = await fetch(url, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  }
  if (response.status === 401 && !SIGNING_IN.some((path) => url.startsWith(path))) {
    window.dispatchEvent(new Event(SESSION_ENDED));
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const cachedAt = response.headers.get("X-From-Cache")
    ? new Date(response.headers.get("Date") || 0).toISOString() : null;
  return { status: response.status, body: parsed, cachedAt };
}

export const OFFLINE = "You are offline: nothing was changed. Try again once you are connected.";

/** As request, but offline resolves to {status: 0, body: {message: OFFLINE}}, for a screen
 * that shows the server's message whatever the answer. */
export function send(method, url, body, extraHeaders) {
  return request(method, url, body, extraHeaders)
    .catch(() => ({ status: 0, body: { message: OFFLINE }, cachedAt: null }));
}
