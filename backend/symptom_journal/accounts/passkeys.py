"""Passkeys (WebAuthn, with the ``webauthn`` package): several an account, each named and
removable; signing in with one needs no password, as the authenticator checks the person.

The relying party is the journal's public address (``BASE_URL``): its host is the RP ID
(``WEBAUTHN_RP_ID`` to set another) and its origin the only one accepted. A ceremony's
challenge lives in the browser's signed cookie session for five minutes and is used once.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Mapping, MutableMapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..db import DbSession
from ..errors import Invalid, NotFound, Unauthorized
from .models import Passkey, User

RP_NAME = "Symptom Journal"
CHALLENGE_SECONDS = 300
MAX_PASSKEYS = 20
NOT_RECOGNISED = "That passkey did not sign you in. Try again, or sign in with your password."


def relying_party(config: Mapping[str, Any]) -> tuple[str, str]:
    """The RP ID and the expected origin, from BASE_URL (or WEBAUTHN_RP_ID)."""
    base = urlsplit(str(config["BASE_URL"]))
    origin = f"{base.scheme}://{base.netloc}"
    return str(config.get("WEBAUTHN_RP_ID") or base.hostname or "localhost"), origin


def _keep_challenge(store: MutableMapping[str, Any], purpose: str, challenge: bytes) -> None:
    store["webauthn"] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "at": time.time(),
    }


def _take_challenge(store: MutableMapping[str, Any], purpose: str) -> bytes | None:
    kept = store.pop("webauthn", None) or {}
    if kept.get("purpose") != purpose or time.time() - kept.get("at", 0) > CHALLENGE_SECONDS:
        return None
    return base64url_to_bytes(kept["challenge"])


def owned_passkeys(session: DbSession, user_id: uuid.UUID) -> list[Passkey]:
    return list(
        session.scalars(
            select(Passkey)
            .where(Passkey.user_id == user_id)
            .order_by(Passkey.created_at, Passkey.id)
            .limit(MAX_PASSKEYS)
        )
    )


def _descriptors(passkeys: Sequence[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    """How options name passkeys the browser should leave out (making) or offer (signing in)."""
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in passkeys]


def registration_options(
    session: DbSession, user: User, config: Mapping[str, Any], store: MutableMapping[str, Any]
) -> dict[str, Any]:
    rp_id, _ = relying_party(config)
    challenge = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_name=user.email,
        user_id=user.id.bytes,
        user_display_name=user.display_name or user.email,
        challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(owned_passkeys(session, user.id)),
    )
    _keep_challenge(store, "register", challenge)
    return dict(json.loads(options_to_json(options)))


def add_passkey(
    session: DbSession,
    user: User,
    name: str,
    credential: dict[str, Any],
    config: Mapping[str, Any],
    store: MutableMapping[str, Any],
    now: datetime,
) -> Passkey:
    """Keep the passkey the browser made; Invalid (naming ``credential``) when it does not
    answer this journal's challenge."""
    challenge = _take_challenge(store, "register")
    if len(owned_passkeys(session, user.id)) >= MAX_PASSKEYS:
        raise Invalid({"name": [f"At most {MAX_PASSKEYS} passkeys an account."]})
    rp_id, origin = relying_party(config)
    try:
        if challenge is None:
            raise WebAuthnException("no challenge")
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise Invalid(
            {"credential": ["Not a passkey made for this journal just now. Try again."]}
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise Invalid({"credential": ["This passkey is added already."]})
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name,
        created_at=now,
    )
    session.add(passkey)
    session.flush()
    return passkey


def remove_passkey(session: DbSession, user_id: uuid.UUID, passkey_id: uuid.UUID) -> Passkey:
    passkey = session.scalar(
        select(Passkey).where(Passkey.user_id == user_id, Passkey.id == passkey_id)
    )
    if passkey is None:
        raise NotFound("No such passkey.")
    session.delete(passkey)
    return passkey


def sign_in_options(
    config: Mapping[str, Any], store: MutableMapping[str, Any], allowed: Sequence[Passkey] = ()
) -> dict[str, Any]:
    """Options for ``navigator.credentials.get``; ``allowed`` names the passkeys of the
    account whose password was just given (its second step), else any of this journal's."""
    rp_id, _ = relying_party(config)
    challenge = secrets.token_bytes(32)
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=challenge,
        user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=_descriptors(allowed),
    )
    _keep_challenge(store, "sign-in", challenge)
    return dict(json.loads(options_to_json(options)))


def sign_in(
    session: DbSession,
    credential: dict[str, Any],
    config: Mapping[str, Any],
    store: MutableMapping[str, Any],
    now: datetime,
) -> User:
    """The account a passkey's answer signs in; Unauthorized (one message) otherwise."""
    challenge = _take_challenge(store, "sign-in")
    raw_id = credential.get("rawId") or credential.get("id")
    passkey = (
        session.scalar(select(Passkey).where(Passkey.credential_id == raw_id))
        if isinstance(raw_id, str) and len(raw_id) <= 1400
        else None
    )
    if challenge is None or passkey is None:
        raise Unauthorized(NOT_RECOGNISED)
    rp_id, origin = relying_party(config)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise Unauthorized(NOT_RECOGNISED) from None
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, now
    user = session.get(User, passkey.user_id)
    if user is None:
        raise Unauthorized(NOT_RECOGNISED)
    return user
