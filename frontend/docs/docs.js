// The API docs: an index of every endpoint read from the OpenAPI document, and Swagger UI,
// loaded only when asked for (it is most of this page's weight). "Try it out" runs with the
// browser's session cookie, so unsafe requests carry the CSRF token the API asks for.
"use strict";

const SWAGGER = "/api/docs/vendor/swagger-ui-dist-5.35.0";
const METHODS = ["get", "put", "post", "patch", "delete"];
let csrfToken = null;

async function fetchCsrfToken() {
  const response = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
  const body = await response.json();
  return body.csrf_token;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function showIndex(spec) {
  const section = document.getElementById("index");
  const groups = new Map();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = (operation.tags && operation.tags[0]) || "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push({ method, path, summary: operation.summary || "" });
    }
  }
  for (const [tag, operations] of groups) {
    section.append(element("h3", tag));
    const list = element("ul", null, "ops");
    for (const op of operations) {
      const row = element("li");
      row.append(element("span", op.method.toUpperCase(), "method"), element("code", op.path));
      if (op.summary) row.append(document.createTextNode(` ${op.summary}`));
      list.append(row);
    }
    section.append(list);
  }
  document.getElementById("index-status").textContent = `${spec.info.title} ${spec.info.version}`;
}

function load(tag, attributes) {
  return new Promise((resolve, reject) => {
    const node = Object.assign(document.createElement(tag), attributes);
    node.onload = resolve;
    node.onerror = () => reject(new Error(`could not load ${attributes.src || attributes.href}`));
    document.head.append(node);
  });
}

async function openExplorer() {
  const button = document.getElementById("explore");
  button.disabled = true;
  button.textContent = "Loading the explorer…";
  try {
    await Promise.all([
      load("link", { rel: "stylesheet", href: `${SWAGGER}/swagger-ui.css` }),
      load("script", { src: `${SWAGGER}/swagger-ui-bundle.js` }),
    ]);
  } catch (error) {
    button.disabled = false;
    button.textContent = "Open the interactive explorer (try again)";
    return;
  }
  button.parentElement.hidden = true;
  document.getElementById("index").hidden = true;
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
}

document.getElementById("explore").addEventListener("click", openExplorer);
fetch("/api/v1/openapi.json")
  .then((response) => response.json())
  .then(showIndex)
  .catch(() => {
    document.getElementById("index-status").textContent =
      "The document could not be loaded; it is at /api/v1/openapi.json.";
  });
// A link into the explorer (#/tag/operation) opens it at once.
if (location.hash.startsWith("#/")) openExplorer();
