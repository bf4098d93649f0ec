// Forgot password: ask for a link by mail; the link opens #/reset/<token> to set a new one.
import { request } from "../api.js";

function problemText(body, fallback) {
  const fields = (body && body.errors && body.errors.json) || {};
  const named = { email: "Email", password: "New password" };
  const lines = Object.entries(fields).map(
    ([name, messages]) => `${named[name] || name}: ${[].concat(messages).join(" ")}`,
  );
  return lines.length ? lines.join(" ") : (body && body.message) || fallback;
}

export function mountForgot(root, { onBack }) {
  root.innerHTML = `
    <h2 id="forgot-title">Set a new password</h2>
    <p>Give the address you signed up with. We mail it a link that sets a new password; the
      link works once, for 60 minutes.</p>
    <form id="forgot-form" aria-labelledby="forgot-title" novalidate>
      <label>Email <input name="email" type="email" autocomplete="username" required></label>
      <p id="forgot-message" class="message hidden" role="status"></p>
      <button type="submit">Mail me a link</button>
      <button type="button" class="secondary" id="forgot-back">Back to sign in</button>
    </form>`;
  const message = root.querySelector("#forgot-message");
  root.querySelector("#forgot-back").addEventListener("click", onBack);
  root.querySelector("#forgot-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = new FormData(event.target).get("email").trim();
    message.classList.remove("hidden");
    message.classList.add("error");
    if (!email) {
      message.textContent = "Email: give the address you signed up with.";
      return;
    }
    try {
      const answer = await request("POST", "/api/v1/auth/password-reset", { email });
      if (answer.status === 202) {
        message.classList.remove("error");
        message.textContent = `${answer.body.message} Check your mail, including spam.`;
        return;
      }
      message.textContent = answer.status === 429
        ? "Too many links asked for. Wait an hour and try again."
        : problemText(answer.body, "The link could not be asked for.");
    } catch {
      message.textContent = "You are offline. Try again once you are connected.";
    }
  });
}

export function mountReset(root, token, { onDone }) {
  root.innerHTML = `
    <h2 id="reset-title">Choose a new password</h2>
    <form id="reset-form" aria-labelledby="reset-title" novalidate>
      <input type="text" name="username" autocomplete="username" hidden>
      <label>New password <input name="password" type="password" autocomplete="new-password"
        minlength="12" required></label>
      <p class="muted">At least 12 characters. A few unrelated words work well.</p>
      <p id="reset-message" class="message error hidden" role="alert"></p>
      <button type="submit">Set the new password</button>
    </form>`;
  const message = root.querySelector("#reset-message");
  root.querySelector("#reset-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = new FormData(event.target).get("password");
    message.classList.remove("hidden");
    if (!password) {
      message.textContent = "New password: give one of at least 12 characters.";
      return;
    }
    try {
      const answer = await request("POST", "/api/v1/auth/password-reset/confirm", { token, password });
      if (answer.status === 204) {
        onDone("Your new password is set, and every device was signed out. Sign in with it.");
        return;
      }
      message.textContent = answer.status === 404
        ? answer.body.message
        : problemText(answer.body, "The password could not be set.");
    } catch {
      message.textContent = "You are offline. Try again once you are connected.";
    }
  });
}

export async function mountVerify(root, token, { onDone }) {
  root.innerHTML = `
    <h2>Confirming your address</h2>
    <p id="verify-message" class="message" role="status">One moment…</p>
    <button type="button" id="verify-go">Go to the journal</button>`;
  const message = root.querySelector("#verify-message");
  root.querySelector("#verify-go").addEventListener("click", onDone);
  try {
    const answer = await request("POST", "/api/v1/auth/verify-email", { token });
    if (answer.status === 204) {
      message.textContent = "Your address is confirmed. You can open your patients' journals.";
      return;
    }
    message.classList.add("error");
    message.textContent = (answer.body && answer.body.message) || "The address could not be confirmed.";
  } catch {
    message.classList.add("error");
    message.textContent = "You are offline. Open the link again once you are connected.";
  }
}
