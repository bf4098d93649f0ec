// How an account signs in: an authenticator app (its QR code and secret, turned on by a
// first code), passkeys, ten one-use recovery codes shown once, and the sign-in activity.
import { request, send } from "../api.js";

// Ten one-use recovery codes, shown once, into `container`; `done` runs when they are kept.
function showRecoveryCodes(container, codes, intro, done) {
  container.innerHTML = `
    <p class="message"></p>
    <ul class="codes"></ul>
    <button type="button" class="secondary">I have kept them</button>`;
  container.querySelector(".message").textContent = `${intro} Keep these recovery codes somewhere
    safe: each works once instead of your second step (if the phone or key is lost), and they
    are shown only now.`;
  container.querySelector("ul.codes").replaceChildren(...codes.map((c) => {
    const li = document.createElement("li");
    li.textContent = c;
    return li;
  }));
  container.querySelector("button").addEventListener("click", done);
}

// "Make new recovery codes": ten new ones in place of the old (shown once).
function wireRenewal(body, onDone) {
  const button = body.querySelector("#codes-renew");
  if (!button) return;
  button.addEventListener("click", async () => {
    const made = await send("POST", "/api/v1/auth/recovery-codes");
    const place = body.querySelector("#codes-new");
    if (made.status !== 201) {
      place.innerHTML = '<p class="message error" role="alert"></p>';
      place.firstChild.textContent = fieldProblems(made.body, "No new codes were made.");
      return;
    }
    showRecoveryCodes(place, made.body.recovery_codes, "The old recovery codes no longer work.", onDone);
  });
}

const RENEWAL = `
  <button type="button" id="codes-renew" class="secondary">Make new recovery codes</button>
  <div id="codes-new"></div>`;

function fieldProblems(body, fallback) {
  const fields = (body && body.errors && body.errors.json) || {};
  const lines = Object.values(fields).flat();
  return lines.length ? lines.join(" ") : (body && body.message) || fallback;
}

let factorRoot = null; // the two-step panel on screen, shown again when passkeys change

// Sent on `document` when a second step is set up or removed (a screen may open up).
export const SECOND_STEP_CHANGED = "second-step-changed";
const announce = () => document.dispatchEvent(new Event(SECOND_STEP_CHANGED));

export async function mountSecondFactor(root) {
  factorRoot = root;
  root.innerHTML = '<h3 id="factor-title">Two-step sign-in</h3><div id="factor-body"></div>';
  const body = root.querySelector("#factor-body");
  let state;
  try {
    state = await request("GET", "/api/v1/auth/second-factors");
  } catch {
    body.innerHTML = '<p class="muted">Connect to see or change your two-step sign-in.</p>';
    return;
  }
  if (state.status !== 200) return;
  if (state.body.totp) {
    body.innerHTML = `
      <p>On: signing in asks for a code from your authenticator app after your password.
        ${state.body.recovery_codes_left} of 10 recovery codes left.</p>
      ${RENEWAL}
      <form id="factor-remove" novalidate>
        <label>Password <input name="password" type="password" autocomplete="current-password"></label>
        <button type="submit" class="secondary">Turn two-step sign-in off</button>
      </form>
      <p id="factor-message" class="message hidden" role="status"></p>`;
    const message = body.querySelector("#factor-message");
    body.querySelector("#factor-remove").addEventListener("submit", async (event) => {
      event.preventDefault();
      const answer = await send("DELETE", "/api/v1/auth/totp", {
        password: new FormData(event.target).get("password"),
      });
      if (answer.status === 204) {
        announce();
        mountSecondFactor(root);
        return;
      }
      message.classList.remove("hidden");
      message.classList.add("error");
      message.textContent = fieldProblems(answer.body, "Not turned off.");
    });
    wireRenewal(body, () => mountSecondFactor(root));
    return;
  }
  const withPasskey = state.body.passkeys > 0;
  body.innerHTML = `
    ${withPasskey ? `<p>On: signing in with your password asks for your passkey too.
      ${state.body.recovery_codes_left} of 10 recovery codes left.</p>${RENEWAL}` : ""}
    <p>${state.body.required && !withPasskey ? "Your clinic asks clinicians to have it before opening patients' journals. " : ""}
      ${withPasskey ? "You can also set up" : "After your password, signing in can ask for"}
      a code from an app on your phone (any authenticator app).</p>
    <button type="button" id="factor-start" class="secondary">Set up an authenticator app</button>
    <p id="factor-start-message" class="message error hidden" role="alert"></p>
    <div id="factor-setup"></div>`;
  body.querySelector("#factor-start").addEventListener("click", async () => {
    const started = await send("POST", "/api/v1/auth/totp");
    if (started.status !== 201) {
      const refused = body.querySelector("#factor-start-message");
      refused.textContent = fieldProblems(started.body, "It cannot be set up right now.");
      refused.classList.remove("hidden");
      return;
    }
    const setup = body.querySelector("#factor-setup");
    setup.innerHTML = `
      <p>Scan this with the app, or type the key into it:</p>
      <figure class="qr">${started.body.qr_svg}</figure>
      <p>Key: <code id="factor-secret"></code></p>
      <form id="factor-confirm" novalidate>
        <label>The 6-digit code the app shows <input name="code" inputmode="numeric"
          autocomplete="one-time-code" maxlength="6"></label>
        <p id="factor-message" class="message error hidden" role="alert"></p>
        <button type="submit">Turn it on</button>
      </form>`;
    setup.querySelector("#factor-secret").textContent = started.body.secret;
    setup.querySelector("#factor-confirm").addEventListener("submit", async (event) => {
      event.preventDefault();
      const code = new FormData(event.target).get("code").trim();
      const message = setup.querySelector("#factor-message");
      const answer = await send("POST", "/api/v1/auth/totp/confirm", { code });
      if (answer.status !== 200) {
        message.classList.remove("hidden");
        message.textContent = code ? fieldProblems(answer.body, "Not turned on.")
          : "Code: type the 6 digits the app shows.";
        return;
      }
      announce();
      showRecoveryCodes(body, answer.body.recovery_codes, "Two-step sign-in is on.",
        () => mountSecondFactor(root));
    });
    setup.querySelector("input[name=code]").focus();
  });
  wireRenewal(body, () => mountSecondFactor(root));
}

// Passkeys: several an account, each named; signing in with one needs no password.
export async function mountPasskeys(root) {
  root.innerHTML = `
    <h3 id="passkeys-title">Passkeys</h3>
    <p class="muted">Sign in with your phone's screen lock or a security key instead of a
      password. Signing in with the password then asks for the passkey too.</p>
    <ul id="passkey-list"></ul>
    <div id="passkey-codes"></div>
    <form id="passkey-form" novalidate>
      <label>Name for a new passkey <input name="name" maxlength="60" placeholder="e.g. My phone"></label>
      <button type="submit" class="secondary">Add a passkey</button>
    </form>
    <p id="passkey-message" class="message hidden" role="status"></p>`;
  const message = root.querySelector("#passkey-message");
  const say = (text, error = false) => {
    message.textContent = text;
    message.classList.remove("hidden");
    message.classList.toggle("error", error);
  };
  const list = async () => {
    let answer;
    try {
      answer = await request("GET", "/api/v1/auth/passkeys");
    } catch {
      return;
    }
    if (answer.status !== 200) return;
    root.querySelector("#passkey-list").replaceChildren(...answer.body.items.map((p) => {
      const li = document.createElement("li");
      li.textContent = `${p.name} · added ${p.created_at.slice(0, 10)}`
        + (p.last_used_at ? ` · last used ${p.last_used_at.slice(0, 10)}` : "");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove the passkey ${p.name}`);
      remove.addEventListener("click", async () => {
        const gone = await send("DELETE", `/api/v1/auth/passkeys/${p.id}`);
        say(gone.status === 204 ? `Removed ${p.name}.` : fieldProblems(gone.body, "Not removed."),
          gone.status !== 204);
        if (gone.status === 204) announce();
        if (gone.status === 204 && factorRoot && factorRoot.isConnected) mountSecondFactor(factorRoot);
        list();
      });
      li.appendChild(remove);
      return li;
    }));
  };
  root.querySelector("#passkey-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = new FormData(event.target).get("name").trim();
    if (!name) {
      say("Name: say which device this passkey is on.", true);
      return;
    }
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
      say("This browser cannot make passkeys.", true);
      return;
    }
    try {
      const options = await request("POST", "/api/v1/auth/passkeys/options");
      if (options.status !== 200) {
        say(fieldProblems(options.body, "No passkey can be added right now."), true);
        return;
      }
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.body),
      });
      const saved = await request("POST", "/api/v1/auth/passkeys", { name, credential: credential.toJSON() });
      if (saved.status === 201) {
        event.target.reset();
        say(`Passkey "${name}" added.`);
        list();
        announce();
        if (factorRoot && factorRoot.isConnected) mountSecondFactor(factorRoot);
        if (saved.body.recovery_codes) {
          const codes = root.querySelector("#passkey-codes");
          showRecoveryCodes(codes, saved.body.recovery_codes, "Your first passkey is on.",
            () => { codes.innerHTML = ""; });
        }
        return;
      }
      say(fieldProblems(saved.body, "The passkey was not added."), true);
    } catch (problem) {
      console.warn("passkey not made:", problem && problem.name, problem && problem.message);
      say("No passkey was made (cancelled, or none available here).", true);
    }
  });
  await list();
}

let activityShown = null;

// The account's sign-ins, wrong passwords and changes to how it signs in, newest first;
// shown again when a second step is set up or removed here.
export async function mountSignInActivity(root) {
  if (activityShown) document.removeEventListener(SECOND_STEP_CHANGED, activityShown);
  activityShown = () => { if (root.isConnected) mountSignInActivity(root); };
  document.addEventListener(SECOND_STEP_CHANGED, activityShown);
  root.innerHTML = `
    <h3 id="activity-title">Sign-in activity</h3>
    <p class="muted">Sign-ins, wrong passwords and codes, and changes to how you sign in, newest
      first. Something you did not do? Set a new password: every other device is signed out.</p>
    <ul id="auth-events"></ul>`;
  try {
    const answer = await request("GET", "/api/v1/auth/events");
    if (answer.status !== 200) return;
    root.querySelector("#auth-events").replaceChildren(...answer.body.items.slice(0, 20).map((e) => {
      const li = document.createElement("li");
      const when = new Date(e.at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
      li.textContent = `${e.description} · ${when}${e.user_agent ? ` · ${e.user_agent}` : ""}`;
      return li;
    }));
  } catch {
    // offline: the list stays empty
  }
}
