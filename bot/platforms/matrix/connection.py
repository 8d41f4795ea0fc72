"""Matrix connection: the nio client of the bot's one device and how it talks to the homeserver.

Login by access token or password, the device id kept in the database (a restart adds no device), the
crypto store opened only while it still holds this device's keys (crypto.py decides), the key traffic
that must run between a sync and the next send, and how the homeserver's answers are read: its error
code in bot.notify's words, its Retry-After, a short M_LIMIT_EXCEEDED waited out. Never handles a
room's events (platform.py) and never sends a message (notifier.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import aiohttp
from nio import AsyncClientConfig, LocalProtocolError, LoginResponse, WhoamiResponse
from nio.api import Api
from nio.crypto import ENCRYPTION_ENABLED
from nio.store import SqliteStore

from ...config import Config, ConfigError
from ...notify import Gone, Rejected, RetryAfter, Transient
from ...store import Store
from . import crypto

log = logging.getLogger("releasewatch.matrix")

KV_DEVICE = "matrix.device_id"
KV_CRYPTO_DEVICE = "matrix.crypto_device_id"  # the device whose olm account the crypto store holds
REQUEST_TIMEOUT = 20.0  # every request but the sync's long-poll and uploads
MAX_INLINE_WAIT = 10.0  # a rate-limited join or state lookup waits at most this long inside the sync loop
GONE_CODES = ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_ROOM")  # kicked, banned, room deleted
REJECTED_CODES = ("M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM")

R = TypeVar("R")


def errcode(resp: object) -> str | None:
    """The Matrix error code of a homeserver's answer (M_LIMIT_EXCEEDED …); None if it is no error."""
    return getattr(resp, "status_code", None)


def retry_after(resp: object, default: float = 1.0) -> float:
    """Seconds a rate-limited answer asks us to wait (default if it does not say)."""
    ms = getattr(resp, "retry_after_ms", None)
    return max(ms / 1000, 0.05) if ms else default


def fail(resp: object) -> NoReturn:
    """A homeserver's error answer in bot.notify's vocabulary."""
    code = errcode(resp)
    if code == "M_LIMIT_EXCEEDED":
        raise RetryAfter(retry_after(resp))
    if code in GONE_CODES:
        raise Gone(f"{code}: {getattr(resp, 'message', '')}"[:200])
    if code in REJECTED_CODES:
        raise Rejected(str(code))
    if code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
        log.error("the homeserver no longer accepts the bot's access token")
    raise Transient(f"{code}: {getattr(resp, 'message', resp)}"[:200])


async def retrying(call: Callable[[], Awaitable[R]], attempts: int = 3) -> R:
    """A call outside the outbox: wait out a short M_LIMIT_EXCEEDED, then give up."""
    resp = await asyncio.wait_for(call(), timeout=REQUEST_TIMEOUT + 5)
    for _ in range(attempts - 1):
        if errcode(resp) != "M_LIMIT_EXCEEDED" or retry_after(resp) > MAX_INLINE_WAIT:
            break
        await asyncio.sleep(retry_after(resp))
        resp = await asyncio.wait_for(call(), timeout=REQUEST_TIMEOUT + 5)
    return resp


class Connection:
    """The bot's device on the homeserver: its nio client (with the trust policy of crypto.py), its login,
    its crypto store and its keys."""

    def __init__(self, config: Config, store: Store, access_token: str | None, password: str | None) -> None:
        mx = config.matrix
        if not (mx.homeserver and mx.user_id):
            raise ConfigError("Config keys 'matrix.homeserver' and 'matrix.user_id' are required.")
        self.config = config
        self.store = store
        self.user_id = mx.user_id
        self.access_token = access_token or mx.access_token
        self.password = password or mx.password
        # encrypted rooms: nio's SqliteStore in its own directory. It stays closed (store_path "")
        # until _open_crypto() has checked that it still holds this device's keys
        self.crypto_dir = crypto.store_dir(config)
        self.e2e = mx.encryption and ENCRYPTION_ENABLED
        if mx.encryption and not ENCRYPTION_ENABLED:
            log.error("matrix-nio's e2e extra is not installed: encrypted rooms will be told the bot cannot read them")
        self.trust = crypto.TrustPolicy(mx)
        self.client = crypto.PolicyClient(
            mx.homeserver, mx.user_id, device_id=store.get_kv(KV_DEVICE), store_path="",
            config=AsyncClientConfig(
                encryption_enabled=self.e2e,
                store=SqliteStore,
                store_sync_tokens=False,  # the sync token lives in our database (platform.KV_SINCE)
                request_timeout=REQUEST_TIMEOUT,
                # nio would otherwise sleep and retry a 429 forever inside room_send, so the
                # outbox would never see M_LIMIT_EXCEEDED; and retry timeouts itself, hiding them
                max_limit_exceeded=0,
                max_timeouts=0,
            ),
        )
        self.client.policy = self.trust
        self.logged_in_by_password = False

    async def login(self) -> None:
        """Log in (token or password), keep the device id, open the crypto store if encryption is on."""
        homeserver = self.config.matrix.homeserver
        try:
            if self.access_token:
                self.client.access_token = self.access_token
                who = await retrying(self.client.whoami)
                if not isinstance(who, WhoamiResponse):
                    raise ConfigError(
                        f"The Matrix homeserver refused MATRIX_ACCESS_TOKEN ({errcode(who)}); "
                        "create a new access token for matrix.user_id.")
                if who.user_id != self.user_id:
                    raise ConfigError(f"MATRIX_ACCESS_TOKEN belongs to {who.user_id}, not to "
                                      f"matrix.user_id {self.user_id}.")
                # the token decides the device; a stored id from a password login does not apply
                self.client.device_id = who.device_id or self.client.device_id
            elif self.password:
                # logging in with the stored device id reuses that device instead of adding one
                device_name = self.config.matrix.device_name
                resp = await retrying(
                    lambda: self.client.login(self.password, device_name=device_name))
                if not isinstance(resp, LoginResponse):
                    raise ConfigError(
                        f"The Matrix homeserver refused MATRIX_PASSWORD for {self.user_id} "
                        f"({errcode(resp)}); check the password and matrix.user_id.")
                self.logged_in_by_password = True
            else:
                raise ConfigError(
                    "Matrix needs MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD in the environment.")
        except (OSError, TimeoutError, aiohttp.ClientError) as exc:
            raise ConfigError(
                f"Cannot reach the Matrix homeserver at {homeserver} ({type(exc).__name__}); "
                "check matrix.homeserver and the network.") from None
        if self.client.device_id:
            self.store.set_kv(KV_DEVICE, self.client.device_id)
        if self.e2e:
            await self._open_crypto()

    async def _open_crypto(self) -> None:
        """Open the crypto store of this device; if its keys are gone, start a new device (a password
        can log one in) or carry on without encryption (an access token belongs to its device)."""
        user, device = self.user_id, str(self.client.device_id)
        kept = crypto.has_account(self.crypto_dir, user, device)
        published = await self._server_has_keys(device)
        if not kept and published:
            if not self.logged_in_by_password:
                log.error(
                    f"The Matrix crypto store for device {device} is missing from {self.crypto_dir}, and "
                    "MATRIX_ACCESS_TOKEN belongs to that device: restore the store from a backup, or log the bot "
                    "in again for a new access token (or use MATRIX_PASSWORD). Until then encrypted rooms are "
                    "told the bot cannot read them.")
                self.e2e = False
                return
            log.warning(
                f"The Matrix crypto store for device {device} is missing from {self.crypto_dir}: starting a new "
                "device. Encrypted rooms keep working; their members' clients will show the bot's new session.")
            await self._new_device(device)
            device = str(self.client.device_id)
        crypto.prepare(self.crypto_dir, user, device)
        self.client.store_path = str(self.crypto_dir)
        self.client.load_store()
        if kept and not published and self.client.olm:
            # the device was signed out (which deletes its keys on the server) and logged in again
            self.client.olm.account.shared = False  # publish the same identity keys again
        self.store.set_kv(KV_CRYPTO_DEVICE, device)
        await self.trust.resolve(self.client)
        await self.keys()

    async def _server_has_keys(self, device: str) -> bool:
        """Did this device ever publish identity keys? Then only its lost store could use them."""
        method, path, data = Api.keys_query(self.client.access_token, {self.user_id})
        resp = await asyncio.wait_for(self.client.send(method, path, data), timeout=REQUEST_TIMEOUT)
        body = await resp.json() if resp.status == 200 else {}
        return device in (body.get("device_keys") or {}).get(self.user_id, {})

    async def _new_device(self, old: str) -> None:
        """Log in again as a new device. Logging out first deletes the old one with its tokens and
        published keys, which nobody holds any more: members' clients stop encrypting for it."""
        resp = await retrying(self.client.logout)
        if errcode(resp) is not None:
            log.warning(f"could not sign out the old Matrix device {old}; remove it in a Matrix client")
        self.client.device_id = None
        device_name = self.config.matrix.device_name
        resp = await retrying(lambda: self.client.login(self.password, device_name=device_name))
        if not isinstance(resp, LoginResponse):
            raise ConfigError(f"The Matrix homeserver refused MATRIX_PASSWORD for {self.user_id} ({errcode(resp)}).")
        self.store.set_kv(KV_DEVICE, resp.device_id)

    async def keys(self) -> None:
        """The key traffic nio's own sync_forever would do: publish ours, learn the members' devices,
        open olm sessions, and send what nio queued (key shares, session repairs)."""
        client = self.client
        if not (self.e2e and client.olm):
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except LocalProtocolError:  # another task did the same query first
            pass
        except (OSError, TimeoutError, aiohttp.ClientError) as exc:
            log.warning("Matrix key exchange failed", extra={"reason": type(exc).__name__})

    async def close(self) -> None:
        """Sign out a password login's token (not an encrypted device's: see below), then close the client."""
        if self.logged_in_by_password and not (self.e2e and self.client.olm):
            # the password gives a new token at each start: invalidate this one rather than let
            # them pile up (the device id is reused at the next login). Not with encryption: a
            # logout deletes the device and its keys, and members could not write to the bot
            # while it is down
            try:
                await asyncio.wait_for(self.client.logout(), timeout=REQUEST_TIMEOUT)
            except Exception:
                log.warning("Matrix logout failed")
        await self.client.close()
