// The clinician's patient page: unlink the patient (DELETE /api/v1/clinician/patients/<id>).
const button = document.getElementById("unlink");
const message = document.getElementById("unlink-message");

button.addEventListener("click", async () => {
  if (!window.confirm("Unlink this patient? Their data is no longer shown to you.")) return;
  button.disabled = true;
  try {
    const csrf = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
    const token = (await csrf.json()).csrf_token;
    const answer = await fetch(`/api/v1/clinician/patients/${button.dataset.patient}`, {
      method: "DELETE",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token },
    });
    if (answer.status === 204) {
      window.location.assign("/#/patients");
      return;
    }
    const body = await answer.json().catch(() => ({}));
    message.textContent = body.message || "The patient could not be unlinked. Try again.";
  } catch {
    message.textContent = "You are offline. Try again once you are connected.";
  }
  button.disabled = false;
});
