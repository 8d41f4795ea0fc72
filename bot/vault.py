"""Encryption at rest for what must not leak if the database is copied: watched names and the
alerts that quote them. Fernet keys come from the environment only:

  RELEASEWATCH_KEY        the current key (make one with `releasewatch keygen`)
  RELEASEWATCH_OLD_KEYS   comma-separated previous keys, still readable during a rotation

Without RELEASEWATCH_KEY, features that store names are switched off rather than storing them
in clear.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class VaultError(Exception):
    """No key, a bad key, or data that this key cannot read; the message is one sentence."""


class Vault:
    def __init__(self, key: str, old_keys: tuple[str, ...] = ()) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.encode()), *(Fernet(k.encode()) for k in old_keys)])
        except (ValueError, TypeError):
            raise VaultError("RELEASEWATCH_KEY is not a valid key; make one with 'releasewatch keygen'.") from None

    @classmethod
    def from_env(cls) -> Vault | None:
        key = os.environ.get("RELEASEWATCH_KEY", "").strip()
        if not key:
            return None
        old = tuple(k.strip() for k in os.environ.get("RELEASEWATCH_OLD_KEYS", "").split(",") if k.strip())
        return cls(key, old)

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise VaultError("stored data cannot be read with the current key") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt with the current key (data written under an old key)."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")
