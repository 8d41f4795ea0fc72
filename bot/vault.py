"""Encryption at rest for what must not leak if the database is copied: watched names and the
alerts that quote them. Fernet keys come from the environment only:

  RELEASEWATCH_KEY        the current key (make one with `releasewatch keygen`)
  RELEASEWATCH_OLD_KEYS   comma-separated previous keys, still readable during a rotation

Without RELEASEWATCH_KEY, features that store names are switched off rather than storing them
in clear.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class VaultError(Exception):
    """No key, a bad key, or data that this key cannot read; the message is one sentence."""


class Vault:
    def __init__(self, key: str, old_keys: tuple[str, ...] = ()) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.encode()), *(Fernet(k.encode()) for k in old_keys)])
            # marks (see mark) are keyed by a secret derived from each key, never the key itself
            self._mark_keys = [hashlib.sha256(b"releasewatch-mark|" + base64.urlsafe_b64decode(k.encode())).digest()
                               for k in (key, *old_keys)]
        except (ValueError, TypeError):
            raise VaultError("RELEASEWATCH_KEY is not a valid key; make one with 'releasewatch keygen'.") from None

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

    def mark(self, text: str) -> str:
        """A keyed digest of text: equal texts give equal marks, and without the key a mark says
        nothing (which watch, which event). Used where a row must be found again but must not say
        who waits for whom in clear."""
        return self.marks(text)[0]

    def marks(self, text: str) -> list[str]:
        """The mark of text under the current key first, then under each old key (a rotation)."""
        data = text.encode("utf-8")
        return [hmac.new(k, data, hashlib.sha256).hexdigest()[:32] for k in self._mark_keys]


def current() -> Vault | None:
    """The vault of this process's key: the one place the environment's keys are read. None
    without RELEASEWATCH_KEY; VaultError if a key is not one. Read at each call (a test or a
    rotation may change it) and one Vault per key, shared by all who ask (the service, the
    platforms and their commands, `doctor`, `rotate-key`)."""
    key = os.environ.get("RELEASEWATCH_KEY", "").strip()
    if not key:
        return None
    old = tuple(k.strip() for k in os.environ.get("RELEASEWATCH_OLD_KEYS", "").split(",") if k.strip())
    return _vault(key, old)


@functools.lru_cache(maxsize=4)
def _vault(key: str, old_keys: tuple[str, ...]) -> Vault:
    return Vault(key, old_keys)
