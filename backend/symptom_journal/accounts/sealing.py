"""Secrets the journal must read back, kept encrypted: an authenticator app's TOTP key.

A copy of the database alone (a backup, a stolen disk) then holds no key that makes sign-in
codes. Fernet (AES-128-CBC with HMAC-SHA256, from the cryptography package) seals each one.
The keys are ``FACTOR_ENCRYPTION_KEYS`` (Fernet keys, comma-separated, the first sealing
and all opening, so that a new key can be put first and the old ones kept until
``flask rotate-factor-keys`` has sealed everything again), then one derived from
``SECRET_KEY`` (HKDF-SHA256), used when no key is set and kept last so that what it sealed
still opens after keys are set.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["InvalidToken", "Sealer", "parse_keys"]

_INFO = b"symptom-journal second factors"


def parse_keys(raw: str) -> list[str]:
    """The keys of ``FACTOR_ENCRYPTION_KEYS``; ValueError naming the setting for a bad one."""
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(
                f"FACTOR_ENCRYPTION_KEYS: key {number} is not a Fernet key (32 bytes, "
                "url-safe base64; make one with `flask make-factor-key`)"
            ) from None
    return keys


def _derived_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


class Sealer:
    """Seal and open short secrets with the configured keys."""

    def __init__(self, keys: list[str], secret_key: str) -> None:
        sealing = [Fernet(key) for key in keys]
        self._fernet = MultiFernet([*sealing, Fernet(_derived_key(secret_key))])

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Sealer:
        return cls(config["FACTOR_ENCRYPTION_KEYS"], config["SECRET_KEY"])

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str:
        """The text; InvalidToken when none of the keys sealed it (or it was changed)."""
        return self._fernet.decrypt(sealed.encode()).decode()

    def reseal(self, sealed: str) -> str:
        """The same text sealed with the first key."""
        return self._fernet.rotate(sealed.encode()).decode()
