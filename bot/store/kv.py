"""Key/value: small platform state such as the Matrix sync token and device id."""

from __future__ import annotations

from .base import StoreBase


class KVMixin(StoreBase):
    # -- key/value (platform state such as sync tokens) -------------------------------------------
    def get_kv(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key=?", [key]).fetchone()
        return row[0] if row else None

    def set_kv(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", [key, value])
