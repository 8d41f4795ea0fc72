"""The Matrix crypto store and trust policy: where nio's SqliteStore lives (owner-only, beside the
database), whether it still holds the device's olm account, its backup and restore, and which devices
may receive a room's keys. Never syncs or sends; bot/platforms/matrix/ does, asking this module.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import AsyncClient

from ...config import Config, ConfigError, MatrixConfig
from ...store.base import restore_checked

log = logging.getLogger("releasewatch.matrix")

SUFFIX = ".matrix-crypto"
_DEVICE_LINE = re.compile(r"^(@[^\s:]+:\S+)\s+(\S+)\s+(.+)$")


def store_dir(config: Config) -> Path:
    """The live crypto store: `[matrix] store_path`, else `<database>.matrix-crypto` beside the database."""
    path = config.matrix.store_path
    if path is None:
        return config.database.with_suffix(SUFFIX)
    return path if path.is_absolute() else config.database.parent / path


def store_file(directory: Path, user_id: str, device_id: str) -> Path:
    """nio's SqliteStore names its file after the account: one file per device."""
    return directory / f"{user_id}_{device_id}.db"


def prepare(directory: Path, user_id: str, device_id: str) -> None:
    """Owner-only before nio writes a key: the directory 0700, the store file created 0600 (SQLite gives
    its journal the same mode), and again at every start for files copied in by hand."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    path = store_file(directory, user_id, device_id)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for child in directory.iterdir():
        if child.is_file():
            os.chmod(child, 0o600)


def has_account(directory: Path, user_id: str, device_id: str) -> bool:
    """Does the store hold this device's olm account (its identity keys)? A missing, empty or
    unreadable file all mean the same: the device's keys are gone."""
    path = store_file(directory, user_id, device_id)
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT count(*) FROM accounts WHERE user_id=? AND device_id=?",
                              [user_id, device_id]).fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row and row[0])


# -- backup and restore: copies of nio's SQLite files beside the database backup ----------------------

def _sqlite_files(directory: Path) -> Iterator[Path]:
    yield from sorted(p for p in directory.glob("*.db") if p.is_file())


def backup(config: Config, target_db: str | Path) -> Path | None:
    """Copy the crypto store beside a database backup (`<backup>.matrix-crypto/`), consistent while
    the bot runs (SQLite backup API), owner-only. None when there is no store to copy."""
    source = store_dir(config)
    files = list(_sqlite_files(source)) if source.is_dir() else []
    if not files:
        return None
    target = Path(target_db).with_suffix(SUFFIX)
    target.mkdir(mode=0o700)  # a new backup never merges into an old one
    for path in files:
        dest = target / path.name
        os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
            src.close()
    return target


def restore(config: Config, source_db: str | Path) -> Path | None:
    """Put back the crypto store saved beside a database backup; None if that backup has none."""
    source = Path(source_db).with_suffix(SUFFIX)
    if not source.is_dir():
        return None
    target = store_dir(config)
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in _sqlite_files(source):
        restore_checked(path, target / path.name, "a Matrix crypto store")
    return target


# -- trust ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifiedDevice:
    user_id: str
    device_id: str
    ed25519: str  # unpadded base64, as Element shows it ("session key") without its spaces


def verified_devices(mx: MatrixConfig) -> frozenset[VerifiedDevice]:
    """`[matrix] verified_devices` read; a malformed entry is a ConfigError naming it."""
    found = set()
    for i, entry in enumerate(mx.verified_devices):
        m = _DEVICE_LINE.match(entry.strip())
        if not m:
            raise ConfigError(f"Config key 'matrix.verified_devices' item {i + 1} must look like "
                              '"@user:example.org DEVICEID ed25519-key" (Element: Settings, Sessions).')
        found.add(VerifiedDevice(m[1], m[2], "".join(m[3].split())))
    return frozenset(found)


class TrustPolicy:
    """Which devices of a room's members receive the keys to read what the bot posts there.
    "members": every device of every member (who may be in a room is the invite policy's job).
    "verified_staff_room": the same, except that the staff room's keys go only to verified_devices,
    so a device the homeserver adds to a staff member's account cannot read held alerts."""

    def __init__(self, mx: MatrixConfig) -> None:
        self.mode = mx.trust
        self.verified = verified_devices(mx)
        self.staff_room: str | None = mx.staff_room  # an alias until resolve() learns the id

    async def resolve(self, client: AsyncClient) -> None:
        if self.mode == "verified_staff_room" and self.staff_room and self.staff_room.startswith("#"):
            resp = await client.room_resolve_alias(self.staff_room)
            room_id = getattr(resp, "room_id", None)
            if room_id:
                self.staff_room = room_id
            else:
                log.error("cannot resolve matrix.staff_room; its keys go to no device until it resolves")

    def refuses(self, room_id: str, device: Any) -> bool:
        """True if `device` (a nio OlmDevice) must not get this room's keys."""
        if self.mode != "verified_staff_room" or room_id != self.staff_room:
            return False
        return VerifiedDevice(device.user_id, device.id, device.ed25519) not in self.verified


# The room whose group session is being shared, per asyncio task: the delivery loop and the sync
# loop share sessions concurrently, each in its own task, so each sees only its own room.
_sharing: contextvars.ContextVar[Callable[[Any], bool] | None] = contextvars.ContextVar("_sharing", default=None)


class PolicyClient(AsyncClient):
    """nio's AsyncClient, sharing a room's keys only with the devices the trust policy allows.
    nio's own trust (verified / ignored / blacklisted) is global per device, not per room, so the
    policy is applied at the one place nio decides: whether a device counts as blacklisted."""

    policy: TrustPolicy | None = None

    def load_store(self) -> None:
        super().load_store()
        olm = self.olm
        if olm is not None and not getattr(olm, "_rw_policy", False):
            blacklisted = olm.is_device_blacklisted

            def is_device_blacklisted(device: Any) -> bool:
                refuse = _sharing.get()
                return (refuse is not None and refuse(device)) or blacklisted(device)

            olm.is_device_blacklisted = is_device_blacklisted  # type: ignore[method-assign]
            olm._rw_policy = True  # type: ignore[attr-defined]

    async def share_group_session(self, room_id: str, ignore_unverified_devices: bool = False) -> Any:
        policy = self.policy
        token = _sharing.set((lambda device: policy.refuses(room_id, device)) if policy else None)
        try:
            return await super().share_group_session(room_id, ignore_unverified_devices=ignore_unverified_devices)
        finally:
            _sharing.reset(token)
