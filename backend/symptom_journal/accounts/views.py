"""Routes of /api/v1/auth: register, sign in and out, the user, devices, password, password
reset and the account's sign-in events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g, jsonify, request, session
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..api import Blueprint
from ..db import utcnow
from ..errors import Conflict, Forbidden, Unauthorized
from ..extensions import db, limiter, unknown_token_limit
from ..mail import (
    MailSettings,
    after_response,
    link,
    message,
    send_after_response,
    send_or_log,
)
from . import factors, passkeys, recovery, service
from .auth import (
    bind_csrf_to_login,
    clear_login_cookie,
    csrf_bound_to_login,
    current_login_id,
    current_second_factor,
    hasher,
    policies,
    set_login_cookie,
    throttle,
)
from .models import User
from .schemas import (
    AuthEventList,
    AuthOptionsOut,
    CsrfOut,
    LoginIn,
    LoginSessionList,
    MessageOut,
    PasskeyAddedOut,
    PasskeyIn,
    PasskeyList,
    PasskeyOut,
    PasskeySignInIn,
    PasswordChangeIn,
    PasswordIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfilePatch,
    RecoveryCodesOut,
    RegisterIn,
    SecondFactorsOut,
    SecondStepIn,
    SecondStepNeededOut,
    TotpConfirmIn,
    TotpEnrolmentOut,
    UserOut,
    VerifyEmailIn,
)
from .sealing import Sealer

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and sign-in.")


def _failed_login(response: Any) -> bool:
    return bool(response.status_code == 401)


def _address_without_account(response: Any) -> bool:
    return bool(response.status_code == 401 and g.get("no_such_account"))


def _login_account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "login-account:" + service.email_key(email if isinstance(email, str) else "")[:254]


def _account_failures_limit() -> str:
    window = int(current_app.config["LOGIN_FAILURE_WINDOW"].total_seconds())
    return f"{current_app.config['LOGIN_FAILURES_PER_ACCOUNT']} per {window} seconds"


EVENT_TEXTS = {
    "signed_in": "Signed in",
    "sign_in_failed": "A sign-in with a wrong password",
    "password_changed": "Password changed",
    "password_reset_asked": "A link to set a new password was asked for",
    "password_reset": "Password set with a link from a mail",
    "second_step_failed": "A sign-in with a wrong code at the second step",
    "factor_added": "Authenticator app set up",
    "factor_removed": "Authenticator app removed",
    "recovery_code_used": "A recovery code was used",
    "passkey_added": "Passkey added",
    "passkey_removed": "Passkey removed",
    "recovery_codes_renewed": "New recovery codes made",
}
NOTICES = (
    "signed_in",
    "password_changed",
    "password_reset",
    "factor_added",
    "factor_removed",
    "recovery_code_used",
    "passkey_added",
    "passkey_removed",
    "recovery_codes_renewed",
)  # mailed when mail is set


@contextmanager
def _failures_kept() -> Iterator[None]:
    """A refused password still counts toward the account's failed sign-ins: the failure is
    committed before the refusal is answered."""
    try:
        yield
    except (Unauthorized, Forbidden):
        db.session.commit()
        raise


def sealer() -> Sealer:
    return Sealer.from_config(current_app.config)


def _user_agent() -> str | None:
    return request.headers.get("User-Agent")


def _event(user: User, kind: str) -> None:
    """Keep ``kind`` among the account's events and, with mail set, tell its owner."""
    now = utcnow()
    service.record_event(db.session, user_id=user.id, kind=kind, now=now, user_agent=_user_agent())
    mail = MailSettings.from_config(current_app.config)
    if kind in NOTICES and mail.enabled:
        send_after_response(
            user.email,
            f"Symptom Journal: {EVENT_TEXTS[kind].lower()}",
            f"{EVENT_TEXTS[kind]} on your Symptom Journal account at {now:%Y-%m-%d %H:%M} UTC"
            f" ({_user_agent() or 'an unknown device'}).\n\n"
            "If this was not you, set a new password now and sign out your other devices:\n"
            f"{link(mail, '/#/forgot')}\n",
        )


def _sign_in(user: User, second_factor: str | None = None) -> None:
    old = current_login_id()
    if old is not None:
        service.end_session(db.session, login_id=old)
    policy = policies()[user.role]
    login, token = service.start_session(
        db.session,
        user=user,
        policy=policy,
        user_agent=request.headers.get("User-Agent"),
        now=utcnow(),
        second_factor=second_factor,
    )
    set_login_cookie(token, policy)
    bind_csrf_to_login(login.id)


@blp.route("/csrf", methods=["GET"])
@blp.response(200, CsrfOut)
def csrf_token() -> Any:
    """Get the token to send as X-CSRF-Token with every unsafe request."""
    login_id = current_login_id()
    if login_id is not None and not csrf_bound_to_login():
        # A CSRF secret that this sign-in did not make (or one from before binding) is
        # replaced, not adopted: whoever planted it knows its token.
        session.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
        g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
        bind_csrf_to_login(login_id)
    return {"csrf_token": generate_csrf()}


@blp.route("/register", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"])
@blp.arguments(RegisterIn)
@blp.response(201, UserOut)
def register(data: dict[str, Any]) -> Any:
    """Create an account and sign in. Who may register as a clinician is the clinic's
    choice (`CLINICIAN_SELF_REGISTRATION`, see `GET /api/v1/auth/options`)."""
    mode = current_app.config["CLINICIAN_SELF_REGISTRATION"]
    if data.get("role") == "clinician" and mode == "off":
        raise Forbidden(
            "Clinician accounts are made by the clinic: ask the people who run this journal.",
            errors={"json": {"role": ["Only patients register here."]}},
        )
    user = service.register(db.session, hasher=hasher(), **data)
    _sign_in(user)
    db.session.commit()
    if user.role == "clinician" and mode == "verified":
        _mail_verification(user)
    return user


def _mail_verification(user: User) -> None:
    settings = MailSettings.from_config(current_app.config)
    token = recovery.verification_token(current_app.config["SECRET_KEY"], user)
    send_after_response(
        user.email,
        "Symptom Journal: confirm your address",
        "Open this link to confirm that this address is yours. Until then, your clinician "
        "account cannot open patients' journals. The link works for 7 days.\n\n"
        f"{link(settings, '/#/verify/' + token)}\n",
    )


@blp.route("/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], deduct_when=_failed_login)
# An address with no account is refused after as many failures as an account is (whose
# count is kept with it), so that a 429 does not tell that an account exists.
@limiter.limit(
    _account_failures_limit,
    key_func=_login_account_key,
    deduct_when=_address_without_account,
    error_message=service.TOO_MANY_FAILURES,
)
@blp.arguments(LoginIn)
@blp.response(200, UserOut)
@blp.alt_response(202, schema=SecondStepNeededOut, description="A second step is needed.")
def login(data: dict[str, Any]) -> Any:
    """Sign in; after too many failures for the account, 429 with Retry-After. An account
    with an authenticator app or a passkey answers 202 instead: nothing is open until the
    second step, within 5 minutes: a code (`POST /api/v1/auth/login/second-step`) or the
    passkey (`POST /api/v1/auth/passkey-login`)."""
    with _failures_kept():
        try:
            user = service.authenticate(
                db.session,
                hasher=hasher(),
                throttle=throttle(),
                now=utcnow(),
                user_agent=_user_agent(),
                **data,
            )
        except service.NoSuchAccount:
            g.no_such_account = True
            raise
    steps = factors.second_steps(db.session, user.id)
    if steps:
        db.session.commit()
        session[PENDING] = {"user": str(user.id), "at": utcnow().timestamp()}
        return jsonify(second_step=steps, message=SECOND_STEP_TEXTS[tuple(steps)]), 202
    _sign_in(user)
    _event(user, "signed_in")
    db.session.commit()
    return user


PENDING = "second_step"  # the cookie session's note of a first step passed
SECOND_STEP_TEXTS = {
    ("totp", "recovery_code"): (
        "Enter the 6-digit code from your authenticator app, or a recovery code."
    ),
    ("totp", "passkey", "recovery_code"): (
        "Enter the 6-digit code from your authenticator app or a recovery code, "
        "or use your passkey."
    ),
    ("passkey", "recovery_code"): "Use your passkey, or enter a recovery code.",
}
SECOND_STEP_WINDOW = 300  # seconds


def _pending_user() -> User | None:
    """The account whose password this browser gave in the last 5 minutes, if any."""
    pending = session.get(PENDING) or {}
    if pending and utcnow().timestamp() - float(pending.get("at", 0)) < SECOND_STEP_WINDOW:
        return db.session.get(User, uuid.UUID(pending["user"]))
    return None


@blp.route("/login/second-step", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], deduct_when=_failed_login)
@blp.arguments(SecondStepIn)
@blp.response(200, UserOut)
def login_second_step(data: dict[str, Any]) -> Any:
    """The second step of signing in: a code from the authenticator app (each used once)
    or a recovery code. A wrong one counts toward the account's failed sign-ins."""
    now = utcnow()
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        raise Unauthorized("Sign in with your password first: the code comes after it.")
    service.check_not_throttled(user, throttle=throttle(), now=now)
    used = factors.check_second_step(db.session, user.id, data["code"], now, sealer=sealer())
    if used is None:
        service.record_failure(
            db.session,
            user_id=user.id,
            throttle=throttle(),
            now=now,
            user_agent=_user_agent(),
            kind="second_step_failed",
        )
        db.session.commit()
        raise Unauthorized("Wrong code. Codes change every 30 seconds, and each works once.")
    session.pop(PENDING, None)
    user.failed_logins, user.failed_logins_since = 0, None
    _sign_in(user, second_factor=used)
    _event(user, "signed_in")
    if used == "recovery_code":
        _event(user, "recovery_code_used")
    db.session.commit()
    return user


@blp.route("/second-factors", methods=["GET"])
@login_required
@blp.response(200, SecondFactorsOut)
def second_factors() -> Any:
    """Your second step of signing in: whether an authenticator app is set up, how many
    passkeys and recovery codes you have, and how this sign-in passed its second step (if
    it did)."""
    return {
        "totp": factors.has_totp(db.session, current_user.id),
        "passkeys": factors.passkeys_count(db.session, current_user.id),
        "recovery_codes_left": factors.recovery_codes_left(db.session, current_user.id),
        "required": mfa_required(current_user.role),
        "this_sign_in": current_second_factor(),
    }


def _check_second_step_shown() -> None:
    """Adding or removing a second factor needs a sign-in that passed one, once the account
    has one: a password alone must not be enough to take over the second step."""
    if current_second_factor() is None and factors.has_any_factor(db.session, current_user.id):
        raise Forbidden(
            "This sign-in used a password alone. To change how you sign in, sign in again "
            "with a code from your authenticator app or with a passkey."
        )


@blp.route("/totp", methods=["POST"])
@login_required
@blp.response(201, TotpEnrolmentOut)
def start_totp() -> Any:
    """Start setting up an authenticator app: its secret, as text and as a QR code. It is
    on once confirmed with a first code (`POST /api/v1/auth/totp/confirm`)."""
    _check_second_step_shown()
    user = db.session.get(User, current_user.id)
    assert user is not None
    enrolment = factors.start_totp(db.session, user, utcnow(), sealer=sealer())
    db.session.commit()
    return enrolment


@blp.route("/totp/confirm", methods=["POST"])
@login_required
@blp.arguments(TotpConfirmIn)
@blp.response(200, RecoveryCodesOut)
def confirm_totp(data: dict[str, Any]) -> Any:
    """Turn the authenticator app on with a code it shows; the answer holds ten one-use
    recovery codes, shown this once."""
    _check_second_step_shown()
    user = db.session.get(User, current_user.id)
    assert user is not None
    codes = factors.confirm_totp(db.session, user, data["code"], utcnow(), sealer=sealer())
    _note_factor_shown("totp")
    _event(user, "factor_added")
    db.session.commit()
    return {"recovery_codes": codes}


@blp.route("/recovery-codes", methods=["POST"])
@login_required
@blp.response(201, RecoveryCodesOut)
def renew_recovery_codes() -> Any:
    """Ten new recovery codes (shown this once) in place of the old ones, which stop
    working. Needs a sign-in that passed the second step."""
    _check_second_step_shown()
    if not factors.has_any_factor(db.session, current_user.id):
        raise Conflict(
            "Set up an authenticator app or a passkey first: recovery codes stand in for them."
        )
    user = db.session.get(User, current_user.id)
    assert user is not None
    codes = factors.new_recovery_codes(db.session, user.id)
    _event(user, "recovery_codes_renewed")
    db.session.commit()
    return {"recovery_codes": codes}


@blp.route("/totp", methods=["DELETE"])
@login_required
@blp.arguments(PasswordIn)
@blp.response(204)
def remove_totp(data: dict[str, Any]) -> None:
    """Turn the authenticator app off (your password, to be sure); the recovery codes go
    with it unless a passkey stays."""
    _check_second_step_shown()
    user = db.session.get(User, current_user.id)
    assert user is not None
    with _failures_kept():
        service.confirm_password(
            db.session,
            hasher=hasher(),
            user=user,
            password=data["password"],
            throttle=throttle(),
            now=utcnow(),
            user_agent=_user_agent(),
        )
    if factors.remove_totp(db.session, user.id):
        _event(user, "factor_removed")
    db.session.commit()


@blp.route("/passkeys", methods=["GET"])
@login_required
@blp.response(200, PasskeyList)
def list_passkeys() -> Any:
    """Your passkeys, oldest first."""
    return {
        "items": passkeys.owned_passkeys(db.session, current_user.id),
        "next_cursor": None,
    }


@blp.route("/passkeys/options", methods=["POST"])
@login_required
@blp.response(
    200,
    description="PublicKeyCredentialCreationOptionsJSON or RequestOptionsJSON (WebAuthn Level 3).",
)
def passkey_options() -> Any:
    """Options for the browser to make a passkey (`navigator.credentials.create`); then
    send what it made to `POST /api/v1/auth/passkeys` within 5 minutes."""
    _check_second_step_shown()
    user = db.session.get(User, current_user.id)
    assert user is not None
    return passkeys.registration_options(db.session, user, current_app.config, session)


@blp.route("/passkeys", methods=["POST"])
@login_required
@blp.arguments(PasskeyIn)
@blp.response(201, PasskeyAddedOut)
def add_passkey(data: dict[str, Any]) -> Any:
    """Keep a passkey the browser made, under a name you choose. Signing in with the
    password then asks for it as a second step; an account's first second step comes with
    ten one-use recovery codes (`recovery_codes`, shown this once)."""
    _check_second_step_shown()
    user = db.session.get(User, current_user.id)
    assert user is not None
    first = not factors.has_any_factor(db.session, user.id)
    passkey = passkeys.add_passkey(
        db.session, user, data["name"], data["credential"], current_app.config, session, utcnow()
    )
    codes = factors.new_recovery_codes(db.session, user.id) if first else None
    _note_factor_shown("passkey")
    _event(user, "passkey_added")
    db.session.commit()
    added = {name: getattr(passkey, name) for name in PasskeyOut().fields}
    return {**added, "recovery_codes": codes} if codes else added


@blp.route("/passkeys/<uuid:passkey_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def remove_passkey(passkey_id: uuid.UUID) -> None:
    """Remove one of your passkeys; it signs nobody in again."""
    _check_second_step_shown()
    passkeys.remove_passkey(db.session, current_user.id, passkey_id)
    db.session.flush()
    factors.drop_unused_recovery_codes(db.session, current_user.id)
    user = db.session.get(User, current_user.id)
    assert user is not None
    _event(user, "passkey_removed")
    db.session.commit()


@blp.route("/passkey-login/options", methods=["POST"])
@blp.response(
    200,
    description="PublicKeyCredentialCreationOptionsJSON or RequestOptionsJSON (WebAuthn Level 3).",
)
def passkey_login_options() -> Any:
    """Options for the browser to sign in with a passkey (`navigator.credentials.get`).
    After a password, as its second step, they name that account's passkeys."""
    pending = _pending_user()
    allowed = passkeys.owned_passkeys(db.session, pending.id) if pending is not None else []
    return passkeys.sign_in_options(current_app.config, session, allowed)


@blp.route("/passkey-login", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], deduct_when=_failed_login)
@blp.arguments(PasskeySignInIn)
@blp.response(200, UserOut)
def passkey_login(data: dict[str, Any]) -> Any:
    """Sign in with a passkey: no password, and no second step (the authenticator checked
    the person). It is also the second step after a password."""
    user = passkeys.sign_in(db.session, data["credential"], current_app.config, session, utcnow())
    session.pop(PENDING, None)
    _sign_in(user, second_factor="passkey")
    _event(user, "signed_in")
    db.session.commit()
    return user


def _note_factor_shown(factor: str) -> None:
    """A factor set up in this sign-in was just shown: the sign-in counts as having passed it."""
    login_id = current_login_id()
    if login_id is not None:
        service.note_second_factor(db.session, login_id=login_id, factor=factor)


def mfa_required(role: str) -> bool:
    return role == "clinician" and bool(current_app.config["CLINICIAN_MFA_REQUIRED"])


@blp.route("/logout", methods=["POST"])
@login_required
@blp.response(204)
def logout() -> None:
    """Sign out this device; its cookie never works again."""
    login_id = current_login_id()
    if login_id is not None:
        service.end_session(db.session, login_id=login_id)
    db.session.commit()
    session.clear()
    clear_login_cookie()


@blp.route("/me", methods=["GET"])
@login_required
@blp.response(200, UserOut)
def me() -> Any:
    """The signed-in user."""
    return current_user


@blp.route("/me", methods=["PATCH"])
@login_required
@blp.arguments(ProfilePatch)
@blp.response(200, UserOut)
def update_me(data: dict[str, Any]) -> Any:
    """Change your display name or time zone."""
    user = db.session.get(User, current_user.id)
    for name, value in data.items():
        setattr(user, name, value)
    db.session.commit()
    return user


@blp.route("/sessions", methods=["GET"])
@login_required
@blp.response(200, LoginSessionList)
def list_sessions() -> Any:
    """Your signed-in devices, newest first."""
    current = current_login_id()
    items = [
        {
            "id": login.id,
            "created_at": login.created_at,
            "last_seen_at": login.last_seen_at,
            "expires_at": login.expires_at,
            "user_agent": login.user_agent,
            "current": login.id == current,
            "second_factor": login.second_factor,
        }
        for login in service.list_sessions(db.session, user_id=current_user.id)
    ]
    return {"items": items, "next_cursor": None}


@blp.route("/sessions/<uuid:session_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke_session(session_id: uuid.UUID) -> None:
    """Sign out one of your devices."""
    service.revoke_session(db.session, user_id=current_user.id, session_id=session_id)
    db.session.commit()
    if session_id == current_login_id():
        session.clear()
        clear_login_cookie()


@blp.route("/password", methods=["POST"])
@login_required
@blp.arguments(PasswordChangeIn)
@blp.response(204)
def change_password(data: dict[str, Any]) -> None:
    """Change your password; every other device is signed out."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    with _failures_kept():
        service.change_password(
            db.session,
            hasher=hasher(),
            user=user,
            keep_session_id=current_login_id(),
            throttle=throttle(),
            now=utcnow(),
            **data,
        )
    _event(user, "password_changed")
    db.session.commit()


def _reset_account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "reset-account:" + service.email_key(email if isinstance(email, str) else "")[:254]


RESET_ASKED = (
    "If an account uses this address, a link to set a new password is on its way to it. "
    "The link works once, for 60 minutes."
)
NO_MAIL = (
    "This journal has no mail server set up, so no link can be mailed. Ask the people who "
    "run it for a link to set a new password."
)


@blp.route("/password-reset", methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_ADDRESS"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESETS_PER_ACCOUNT"], key_func=_reset_account_key
)
@blp.arguments(PasswordResetIn)
@blp.response(202, MessageOut)
def ask_password_reset(data: dict[str, Any]) -> Any:
    """Ask for a link to set a new password, sent by mail. The answer is the same whether
    or not the address has an account, and comes before the address is even looked up;
    the link works once, for 60 minutes. With no mail server set, the answer says so (an
    operator makes a link with `flask reset-password`)."""
    email, user_agent = data["email"], _user_agent()
    after_response(lambda: _mail_reset_link(email, user_agent))
    mail_on = MailSettings.from_config(current_app.config).enabled
    return {"message": RESET_ASKED if mail_on else NO_MAIL}


def _mail_reset_link(email: str, user_agent: str | None) -> None:
    now = utcnow()
    found = recovery.ask_reset(db.session, email, now)
    if found is None:
        return
    user, token = found
    service.record_event(
        db.session, user_id=user.id, kind="password_reset_asked", now=now, user_agent=user_agent
    )
    db.session.commit()
    settings = MailSettings.from_config(current_app.config)
    text = (
        "Someone, probably you, asked to set a new password for your Symptom Journal "
        "account. Open this link within 60 minutes to do it (it works once):\n\n"
        f"{link(settings, '/#/reset/' + token)}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n"
    )
    send_or_log(
        settings, message(settings, user.email, "Symptom Journal: set a new password", text)
    )


@blp.route("/password-reset/confirm", methods=["POST"])
@unknown_token_limit("reset-tokens")
@blp.arguments(PasswordResetConfirmIn)
@blp.response(204)
def confirm_password_reset(data: dict[str, Any]) -> None:
    """Set a new password with the token from the mail. Every session of the account ends
    (sign in again with the new password); a used, expired or unknown link is a 404."""
    user = recovery.reset_password(
        db.session, hasher=hasher(), token=data["token"], password=data["password"], now=utcnow()
    )
    _event(user, "password_reset")
    db.session.commit()
    if current_user.is_authenticated:
        session.clear()
        clear_login_cookie()


@blp.route("/verify-email", methods=["POST"])
@unknown_token_limit("verify-tokens")
@blp.arguments(VerifyEmailIn)
@blp.response(204)
def verify_email(data: dict[str, Any]) -> None:
    """Confirm an account's address with the token from the mailed link (7 days); an
    expired or unknown one is a 404."""
    recovery.verify_email(db.session, current_app.config["SECRET_KEY"], data["token"], utcnow())
    db.session.commit()


@blp.route("/verify-email/resend", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_ACCOUNT"])
@blp.response(202, MessageOut)
def resend_verification() -> Any:
    """Mail a new link that confirms your address."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    if recovery.is_verified(db.session, user.id, user.email_key):
        return {"message": "Your address is confirmed already."}
    _mail_verification(user)
    return {"message": f"A link to confirm your address is on its way to {user.email}."}


@blp.route("/options", methods=["GET"])
@blp.response(200, AuthOptionsOut)
def options() -> Any:
    """What this journal offers on sign-up and sign-in: who may register as a clinician,
    and whether it can send mail (password reset links)."""
    return {
        "clinician_self_registration": current_app.config["CLINICIAN_SELF_REGISTRATION"],
        "mail": MailSettings.from_config(current_app.config).enabled,
    }


@blp.route("/events", methods=["GET"])
@login_required
@blp.response(200, AuthEventList)
def list_events() -> Any:
    """What happened to your sign-in: sign-ins, failed ones, password changes and resets,
    newest first (the last 100, kept a year)."""
    items = [
        {
            "id": event.id,
            "kind": event.kind,
            "at": event.at,
            "user_agent": event.user_agent,
            "description": EVENT_TEXTS.get(event.kind, event.kind),
        }
        for event in recovery.list_events(db.session, user_id=current_user.id)
    ]
    return {"items": items, "next_cursor": None}
