// Interactive API docs. "Try it out" runs with the browser's session cookie, so unsafe
// requests carry the CSRF token the API asks for.
"use strict";

let csrfToken = null;

async function fetchCsrfToken() {
  const response = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
  const body = await response.json();
  return body.csrf_token;
}

window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    requestInterceptor: async (request) => {
      if (!["GET", "HEAD", "OPTIONS"].includes((request.method || "GET").toUpperCase())) {
        csrfToken = csrfToken || (await fetchCsrfToken());
        request.headers["X-CSRF-Token"] = csrfToken;
      }
      return request;
    },
    responseInterceptor: (response) => {
      if (response.status === 403 || response.url.endsWith("/auth/logout")) {
        csrfToken = null; // signed out or token rotated: fetch a fresh one next time
      }
      return response;
    },
  });
});
