"""Schemas of accounts and login sessions."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..fields import Text, Timestamp, validate_timezone
from .models import EVENT_KINDS, ROLES, SECOND_FACTORS


def _password(description: str | None = None) -> fields.String:
    # Long enough for any real password; the rules themselves are in passwords.py.
    return fields.String(
        required=True,
        validate=validate.Length(max=1024),
        metadata={"description": description} if description else {},
    )


class RegisterIn(ma.Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = _password("12 to 256 characters, not a common password.")
    role = fields.String(
        load_default="patient", validate=validate.OneOf(ROLES, error="Must be one of: {choices}.")
    )
    display_name = Text(allow_none=True, validate=validate.Length(min=1, max=100))
    timezone = fields.String(
        load_default="UTC", validate=validate_timezone, metadata={"description": "IANA name."}
    )


class LoginIn(ma.Schema):
    email = Text(required=True, validate=validate.Length(max=254))
    password = _password()


class UserOut(ma.Schema):
    id = fields.UUID(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    display_name = fields.String(allow_none=True, required=True)
    timezone = fields.String(required=True)


class ProfilePatch(ma.Schema):
    display_name = Text(allow_none=True, validate=validate.Length(min=1, max=100))
    timezone = fields.String(validate=validate_timezone, metadata={"description": "IANA name."})


class PasswordChangeIn(ma.Schema):
    current_password = _password()
    new_password = _password("12 to 256 characters, not a common password.")


class CsrfOut(ma.Schema):
    csrf_token = fields.String(required=True)


class LoginSessionOut(ma.Schema):
    id = fields.UUID(required=True)
    created_at = Timestamp(required=True)
    last_seen_at = Timestamp(required=True)
    expires_at = Timestamp(required=True)
    user_agent = fields.String(allow_none=True)
    current = fields.Boolean(required=True, metadata={"description": "The device asking."})
    second_factor = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(SECOND_FACTORS),
        metadata={"description": "The second step this sign-in passed; null: a password alone."},
    )


class LoginSessionList(ma.Schema):
    items = fields.List(fields.Nested(LoginSessionOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class PasswordResetIn(ma.Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class PasswordResetConfirmIn(ma.Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The token from the link in the mail."},
    )
    password = _password("The new password: 12 to 256 characters, not a common password.")


class MessageOut(ma.Schema):
    message = fields.String(required=True)


class AuthEventOut(ma.Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": list(EVENT_KINDS)})
    at = Timestamp(required=True)
    user_agent = fields.String(allow_none=True, required=True)
    description = fields.String(required=True, metadata={"description": "In words."})


class AuthEventList(ma.Schema):
    items = fields.List(fields.Nested(AuthEventOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class VerifyEmailIn(ma.Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "The token from the link in the mail."},
    )


class AuthOptionsOut(ma.Schema):
    clinician_self_registration = fields.String(
        required=True,
        metadata={
            "enum": ["open", "verified", "off"],
            "description": "open: anyone may register as a clinician; verified: and must "
            "confirm their address before opening patient data; off: the clinic makes "
            "clinician accounts.",
        },
    )
    mail = fields.Boolean(required=True, metadata={"description": "Whether mail is sent."})


class SecondStepNeededOut(ma.Schema):
    second_step = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What the second step takes: totp, passkey, recovery_code."},
    )
    message = fields.String(required=True)


class SecondStepIn(ma.Schema):
    code = Text(
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "6 digits from the authenticator app, or a recovery code."},
    )


class TotpEnrolmentOut(ma.Schema):
    secret = fields.String(required=True, metadata={"description": "To type into the app."})
    otpauth_uri = fields.String(required=True)
    qr_svg = fields.String(required=True, metadata={"description": "The address as a QR code."})


class TotpConfirmIn(ma.Schema):
    code = Text(required=True, validate=validate.Length(min=1, max=20))


class RecoveryCodesOut(ma.Schema):
    recovery_codes = fields.List(
        fields.String(), required=True, metadata={"description": "Shown this once."}
    )


class PasswordIn(ma.Schema):
    password = _password()


class SecondFactorsOut(ma.Schema):
    totp = fields.Boolean(required=True)
    passkeys = fields.Integer(required=True)
    recovery_codes_left = fields.Integer(required=True)
    required = fields.Boolean(
        required=True, metadata={"description": "Whether this account must have one."}
    )
    this_sign_in = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(SECOND_FACTORS),
        metadata={
            "description": "The second step this sign-in passed, or null for a password alone."
        },
    )


def _credential() -> fields.Dict:
    return fields.Dict(
        required=True,
        metadata={"description": "The browser's PublicKeyCredential, as its toJSON() gives."},
    )


class PasskeyIn(ma.Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=60))
    credential = _credential()


class PasskeyOut(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    created_at = Timestamp(required=True)
    last_used_at = Timestamp(allow_none=True, required=True)


class PasskeyAddedOut(PasskeyOut):
    recovery_codes = fields.List(
        fields.String(),
        metadata={
            "description": "With an account's first passkey (and no authenticator app): ten "
            "one-use recovery codes, shown this once."
        },
    )


class PasskeyList(ma.Schema):
    items = fields.List(fields.Nested(PasskeyOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class PasskeySignInIn(ma.Schema):
    credential = _credential()
