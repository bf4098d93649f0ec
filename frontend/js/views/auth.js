// Sign in, or create an account (patient or clinician).
import { request } from "../api.js";

const FIELD_LABELS = { email: "Email", password: "Password", display_name: "Name", role: "Role" };

function errorsText(body) {
  const fields = (body && body.errors && body.errors.json) || {};
  const lines = Object.entries(fields).map(
    ([name, messages]) => `${FIELD_LABELS[name] || name}: ${[].concat(messages).join(" ")}`,
  );
  return lines.length ? lines.join(" ") : (body && body.message) || "Something went wrong.";
}

// Who may register as a clinician is the clinic's choice (GET /api/v1/auth/options).
function roleChoice(options) {
  if (options.clinician_self_registration === "off") {
    return '<p class="muted">Clinicians: your clinic makes your account and mails you a link.</p>';
  }
  const verified = options.clinician_self_registration === "verified"
    ? '<p class="muted">Clinicians confirm their address by a mailed link before they can open a patient\'s journal.</p>'
    : "";
  return `<label>I am a
      <select name="role">
        <option value="patient">patient</option>
        <option value="clinician">clinician</option>
      </select>
    </label>${verified}`;
}

let mounts = 0;

export async function mountAuth(root, { onSignedIn, offline = false, notice = "" }) {
  const mine = ++mounts;
  let creating = false;
  let options = { clinician_self_registration: "open", mail: true };
  try {
    const answer = await request("GET", "/api/v1/auth/options");
    if (answer.status === 200) options = answer.body;
  } catch {
    // offline: the form says so
  }
  if (mine !== mounts) return; // shown again meanwhile: that one is on screen, with what was typed
  const render = () => {
    root.innerHTML = `
      <p class="intro">Log how you feel before and after each ketamine or esketamine session and every day
        in between, to see what helps. Only you, and the care team you choose to share with, see it.</p>
      <h2 id="auth-title">${creating ? "Create your account" : "Sign in"}</h2>
      ${offline ? '<p class="message error">You are offline. Sign in once you are connected.</p>' : ""}
      <p id="auth-notice" class="message ${notice ? "" : "hidden"}" role="status"></p>
      <form id="auth-form" aria-labelledby="auth-title" novalidate>
        <label>Email <input name="email" type="email" autocomplete="username" required></label>
        <label>Password <input name="password" type="password" minlength="12" required
          autocomplete="${creating ? "new-password" : "current-password"}"></label>
        ${creating ? `
          <p class="muted">At least 12 characters. A few unrelated words work well.</p>
          <label>Name shown to your care team <input name="display_name" autocomplete="name"></label>
          ${roleChoice(options)}` : ""}
        <p id="auth-error" class="message error hidden" role="alert"></p>
        <button type="submit">${creating ? "Create account" : "Sign in"}</button>
        <button type="button" class="secondary" id="auth-switch">
          ${creating ? "I have an account: sign in" : "New here? Create an account"}
        </button>
      </form>
      ${creating ? "" : `<p><a href="#/forgot">Forgot password?</a></p>
        <button type="button" class="secondary" id="passkey-sign-in">Sign in with a passkey</button>`}`;
    root.querySelector("#auth-notice").textContent = notice;
    const passkeyButton = root.querySelector("#passkey-sign-in");
    if (passkeyButton) passkeyButton.addEventListener("click", () => passkeySignIn());
    root.querySelector("#auth-switch").addEventListener("click", () => {
      creating = !creating;
      render();
    });
    root.querySelector("#auth-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData(event.target);
      const body = { email: form.get("email"), password: form.get("password") };
      if (creating) {
        body.role = form.get("role") || "patient";
        body.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
        if (form.get("display_name")) body.display_name = form.get("display_name");
      }
      const error = root.querySelector("#auth-error");
      try {
        const answer = await request("POST", `/api/v1/auth/${creating ? "register" : "login"}`, body);
        if (answer.status === 200 || answer.status === 201) {
          onSignedIn(answer.body);
          return;
        }
        if (answer.status === 202) {
          secondStep(answer.body);
          return;
        }
        error.textContent = answer.status === 429
          ? "Too many attempts. Wait a few minutes and try again."
          : errorsText(answer.body);
      } catch {
        error.textContent = "You are offline. Try again once you are connected.";
      }
      error.classList.remove("hidden");
    });
  };
  const passkeySignIn = async (errorId = "#auth-error") => {
    const error = root.querySelector(errorId);
    error.classList.remove("hidden");
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) {
      error.textContent = "This browser cannot use passkeys: sign in with your password.";
      return;
    }
    try {
      const options = await request("POST", "/api/v1/auth/passkey-login/options");
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.body),
      });
      const answer = await request("POST", "/api/v1/auth/passkey-login", { credential: credential.toJSON() });
      if (answer.status === 200) {
        onSignedIn(answer.body);
        return;
      }
      error.textContent = answer.body.message;
    } catch {
      error.textContent = "No passkey was used (cancelled, or none for this journal here).";
    }
  };
  // The second step of signing in: a code from the authenticator app, a recovery code,
  // or the account's passkey.
  const secondStep = ({ message, second_step: steps }) => {
    root.innerHTML = `
      <h2 id="step-title">One more step</h2>
      <p class="muted" id="step-help"></p>
      ${steps.includes("passkey") ? `
        <button type="button" id="step-passkey">Use your passkey</button>` : ""}
      <form id="step-form" aria-labelledby="step-title" novalidate>
        <label>Code <input name="code" autocomplete="one-time-code" autocapitalize="none"
          maxlength="20" required></label>
        <p id="step-error" class="message error hidden" role="alert"></p>
        <button type="submit" class="${steps.includes("totp") ? "" : "secondary"}">Continue</button>
      </form>`;
    root.querySelector("#step-help").textContent = message;
    const passkeyButton = root.querySelector("#step-passkey");
    if (passkeyButton) {
      passkeyButton.addEventListener("click", () => passkeySignIn("#step-error"));
      passkeyButton.focus();
    } else {
      root.querySelector("input[name=code]").focus();
    }
    root.querySelector("#step-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = root.querySelector("#step-error");
      const code = new FormData(event.target).get("code").trim();
      error.classList.remove("hidden");
      if (!code) {
        error.textContent = "Code: type the 6 digits your app shows, or a recovery code.";
        return;
      }
      try {
        const answer = await request("POST", "/api/v1/auth/login/second-step", { code });
        if (answer.status === 200) {
          onSignedIn(answer.body);
          return;
        }
        error.textContent = answer.status === 429
          ? "Too many wrong codes. Wait a few minutes and sign in again."
          : answer.body.message;
        if (answer.status === 401 && answer.body.message.startsWith("Sign in")) render();
      } catch {
        error.textContent = "You are offline. Try again once you are connected.";
      }
    });
  };
  render();
}
