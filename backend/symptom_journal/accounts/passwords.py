"""Password rules (NIST SP 800-63B: length and a blocklist, no composition rules) and hashing."""

from __future__ import annotations

import unicodedata
from functools import cache

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256

PROFILES = {
    "default": argon2.profiles.RFC_9106_LOW_MEMORY,
    # Only for the test suite, where thousands of hashes would otherwise dominate its time.
    "cheapest": argon2.profiles.CHEAPEST,
}


def normalize(password: str) -> str:
    """Return the password in NFKC form, so the same text typed on two devices matches."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords (zxcvbn's 30,000), lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Return what is wrong with a new password, as messages; an empty list when it is fine."""
    text = normalize(password)
    if len(text) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(text) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    lowered = text.lower()
    if lowered in common_passwords():
        return ["This password is too common. Choose another, e.g. a few unrelated words."]
    if email and lowered in (email.lower(), email.split("@", 1)[0].lower()):
        return ["Do not use your email address as your password."]
    return []


class PasswordHasher:
    """Argon2id hashing with a named parameter profile."""

    def __init__(self, profile: str = "default") -> None:
        self._hasher = argon2.PasswordHasher.from_parameters(PROFILES[profile])
        self._dummy: str | None = None

    @property
    def dummy(self) -> str:
        """A hash to verify against when the account does not exist, so that a wrong email
        costs as long as a wrong password (made on first use, not at start-up)."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("not a real password, only for timing")
        return self._dummy

    def hash(self, password: str) -> str:
        """Return the Argon2id hash of ``password``."""
        return self._hasher.hash(normalize(password))

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Return whether ``password`` matches; a missing hash still costs one verification."""
        try:
            return self._hasher.verify(password_hash or self.dummy, normalize(password)) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Return whether the hash was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)
