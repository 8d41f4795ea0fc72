"""`releasewatch doctor`: checks a set-up the way the service will use it (the config, the chat
tokens, the web page's token, every feed, the key for watched names, the database and its
backups) and prints one line per check with a plain fix.

Reads only: the database is opened read-only (never migrated), a Matrix password login is
logged out again. Every network call has a timeout; no line shows a token, a key or a feed URL.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

import httpx

from .config import WEB_TOKEN_ENV, Config, ConfigError, load_config
from .feeds import fetch, make_client
from .health import database_writable
from .store import SCHEMA_VERSION
from .upgrade import backup_dir
from .vault import VaultError, current

TOKEN_TIMEOUT = 10.0  # seconds for one call to Telegram or the homeserver
MAX_FEEDS = 1000  # feeds checked (config and database together)
MAX_WATCHES = 10_000  # watched names tried with the key
MAX_BACKUPS = 1000  # backup files whose permissions are checked
FEED_CONCURRENCY = 16


@dataclass(frozen=True)
class Check:
    """One line of the report: status is ok, fail or skip (not set up: not an error)."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix and self.status == "fail" else ""
        return f"{self.status.upper():<5} {self.name:<10} {self.detail}{fix}"


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, "fail", detail, fix)


def skip(name: str, detail: str) -> Check:
    return Check(name, "skip", detail)


# -- the config -----------------------------------------------------------------------------------
def check_config(path: str | Path) -> tuple[Check, Config | None]:
    try:
        config = load_config(path)
    except ConfigError as exc:
        return fail("config", str(exc), "edit the file as the sentence says; config.example.toml documents "
                    "every key."), None
    on = {True: "on", False: "off"}
    return ok("config", f"{path} is valid: {len(config.feeds)} feeds, Telegram {on[config.telegram.enabled]}, "
              f"Matrix {on[config.matrix.enabled]}, database {config.database}"), config


# -- chat platforms -------------------------------------------------------------------------------
async def check_telegram(config: Config, client: httpx.AsyncClient) -> Check:
    tg = config.telegram
    if not tg.enabled:
        return skip("telegram", "Telegram is off in the config")
    token = tg.token
    if not token:
        return fail("telegram", "Telegram is on but TELEGRAM_BOT_TOKEN is not set",
                    "put the token @BotFather gave you in TELEGRAM_BOT_TOKEN (the service's environment file).")
    base = (tg.api_base_url or "https://api.telegram.org").rstrip("/")
    try:
        resp = await client.get(f"{base}/bot{token}/getMe")
    except httpx.HTTPError as exc:  # its text would quote the URL, and the URL holds the token
        return fail("telegram", f"cannot reach {base} ({type(exc).__name__})",
                    "check this machine's network and DNS, or telegram.api_base_url.")
    if resp.status_code in (401, 404):  # Telegram answers 404 to a malformed token
        return fail("telegram", f"Telegram refused the token (HTTP {resp.status_code})",
                    "copy the token again from @BotFather into TELEGRAM_BOT_TOKEN (no spaces, no quotes).")
    try:
        me = resp.json()["result"]
    except (ValueError, KeyError, TypeError):
        return fail("telegram", f"{base} did not answer like the Bot API (HTTP {resp.status_code})",
                    "check telegram.api_base_url, or remove it to use api.telegram.org.")
    return ok("telegram", f"token accepted: the bot is @{me.get('username')}")


async def check_matrix(config: Config, client: httpx.AsyncClient) -> Check:
    mx = config.matrix
    if not mx.enabled:
        return skip("matrix", "Matrix is off in the config")
    hs = (mx.homeserver or "").rstrip("/")
    api = f"{hs}/_matrix/client/v3"
    try:
        if mx.access_token:
            resp = await client.get(f"{api}/account/whoami", headers={"Authorization": f"Bearer {mx.access_token}"})
            if resp.status_code in (401, 403):
                return fail("matrix", f"the homeserver refused MATRIX_ACCESS_TOKEN (HTTP {resp.status_code})",
                            "log the bot in again and put the new access token in MATRIX_ACCESS_TOKEN.")
            who = resp.json().get("user_id") if resp.status_code == 200 else None
            if who is None:
                return fail("matrix", f"whoami failed at {hs} (HTTP {resp.status_code})", "check matrix.homeserver.")
            if who != mx.user_id:
                return fail("matrix", f"MATRIX_ACCESS_TOKEN belongs to {who}, not to {mx.user_id}",
                            "use the bot account's token, or set matrix.user_id to the account it belongs to.")
            return ok("matrix", f"access token accepted: whoami says {who}")
        if mx.password:
            body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": mx.user_id},
                    "password": mx.password, "initial_device_display_name": "releasewatch doctor"}
            resp = await client.post(f"{api}/login", json=body)
            if resp.status_code in (401, 403):
                return fail("matrix", f"the homeserver refused MATRIX_PASSWORD for {mx.user_id}",
                            "check the bot account's password in MATRIX_PASSWORD.")
            token = resp.json().get("access_token") if resp.status_code == 200 else None
            if not token:
                return fail("matrix", f"login failed at {hs} (HTTP {resp.status_code})", "check matrix.homeserver.")
            # this check's own session: leave no device behind
            await client.post(f"{api}/logout", headers={"Authorization": f"Bearer {token}"}, json={})
            return ok("matrix", f"password accepted for {mx.user_id}")
    except (httpx.HTTPError, ValueError) as exc:
        return fail("matrix", f"cannot reach {hs} ({type(exc).__name__})",
                    "check this machine's network and DNS, and matrix.homeserver.")
    return fail("matrix", "Matrix is on but neither MATRIX_ACCESS_TOKEN nor MATRIX_PASSWORD is set",
                "put the bot account's access token in MATRIX_ACCESS_TOKEN (or its password in MATRIX_PASSWORD).")


# -- the web page ---------------------------------------------------------------------------------
def check_web(config: Config) -> Check:
    web = config.web
    if not web.enabled:
        return skip("web", "the web page is off in the config")
    if not web.public and not web.token:  # `run` refuses to start so (bot/web/server.py)
        return fail("web", f"the page is internal (web.public = false) but {WEB_TOKEN_ENV} is not set: "
                    "the service will not start", f"set {WEB_TOKEN_ENV} to a long random token (openssl rand "
                    "-hex 32) in the service's environment file, or set web.public = true.")
    who = "anyone" if web.public else f"readers with the token in {WEB_TOKEN_ENV}"
    return ok("web", f"the page will serve {who} on {web.host}:{web.port}")


# -- feeds ----------------------------------------------------------------------------------------
async def check_feeds(config: Config, feeds: Iterable[tuple[str, str, str | None]]) -> list[Check]:
    """Fetch and parse each feed once, as the pipeline does (no conditional GET)."""
    feeds = list(feeds)[:MAX_FEEDS]
    if not feeds:
        return [fail("feeds", "no feeds in the config or the database",
                     "add [[feeds]] tables to the config (see config.example.toml).")]
    client = make_client(config.request_timeout, allow_private=config.allow_private_feed_urls)
    # feeds the config allows on a private address (a bridge on this machine), as the service reads them
    private = {f.url for f in config.feeds if f.allow_private}
    private_client = make_client(config.request_timeout, allow_private=True) if private else client
    sem = asyncio.Semaphore(FEED_CONCURRENCY)

    async def one(name: str, url: str, lang: str | None) -> Check:
        async with sem:
            res = await fetch(private_client if url in private else client, url, max_bytes=config.max_feed_bytes,
                              deadline=config.request_timeout * 3, feed_lang=lang)
        if res.status == "error":
            return fail("feed", f'"{name}": {res.error}',
                        "open the feed's address in a browser; if it stays broken, fix or remove it.")
        if not res.entries:
            return fail("feed", f'"{name}" answers but holds no entries',
                        "check that the address is the feed itself (RSS or Atom), not the site's page.")
        return ok("feed", f'"{name}" answers and parses: {res.entries} entries')

    try:
        return list(await asyncio.gather(*(one(*f) for f in feeds)))
    finally:
        await client.aclose()
        if private_client is not client:
            await private_client.aclose()


# -- the database, its backups and the key ---------------------------------------------------------
def _read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=5)
    conn.execute("PRAGMA query_only=ON")
    return conn


def database_feeds(path: Path) -> list[tuple[str, str, str | None]]:
    """Feeds staff added in chat (/addfeed, OPML): the store's feeds table, read-only."""
    if not path.exists():
        return []
    conn = _read_only(path)
    try:
        return conn.execute("SELECT name, url, lang FROM feeds WHERE active = 1 ORDER BY id LIMIT ?",
                            [MAX_FEEDS]).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def check_database(path: Path) -> Check:
    if not path.exists():
        return skip("database", f"no database at {path} yet: the first run creates it (owner-only)")
    try:
        conn = _read_only(path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return fail("database", f"{path} cannot be read ({exc})",
                    "check the file's owner, or restore the last backup with 'releasewatch restore'.")
    if version > SCHEMA_VERSION:
        return fail("database", f"{path} was made by a newer ReleaseWatch (schema {version})",
                    "install that newer release again, or restore a backup made by this one.")
    owner = path.stat().st_uid
    if owner != os.geteuid():
        # root can write anything (the test would prove nothing) and, with the service stopped,
        # would leave journal files the service's user cannot open: /readyz tests this instead
        return ok("database", f"{path} is readable (schema {version}); it belongs to uid {owner}, so writing "
                  "is tested only when doctor runs as that user, and by /readyz")
    problem = database_writable(path)
    if problem:
        return fail("database", f"{path}: {problem}",
                    "run doctor as the service's user; check the folder's owner and free disk space.")
    upgrade = (f"; the next start upgrades it to schema {SCHEMA_VERSION}, after a backup in {backup_dir(path)}"
               if version < SCHEMA_VERSION else "")
    return ok("database", f"{path} is writable (schema {version}){upgrade}")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def check_permissions(path: Path) -> list[Check]:
    checks = []
    files = [p for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if p.exists()]
    loose = [p for p in files if _mode(p) & 0o077]
    if loose:
        names = " ".join(str(p) for p in loose)
        checks.append(fail("files", f"{names}: others can read the subscriber list (mode {_mode(loose[0]):o})",
                           f"chmod 600 {names}"))
    elif files:
        checks.append(ok("files", f"{path} is owner-only"))
    folder = backup_dir(path)
    if folder.is_dir():
        backups = sorted(p for p in folder.iterdir() if p.is_file())[:MAX_BACKUPS]
        open_files = [p for p in backups if _mode(p) & 0o077]
        if _mode(folder) & 0o077:
            checks.append(fail("backups", f"{folder} is open to others (mode {_mode(folder):o})", f"chmod 700 {folder}"))
        elif open_files:
            checks.append(fail("backups", f"{len(open_files)} of {len(backups)} backups in {folder} are readable "
                               "by others", f"chmod 600 {folder}/*"))
        else:
            checks.append(ok("backups", f"{len(backups)} backups in {folder}, owner-only"))
    return checks


def check_key(path: Path) -> Check:
    stored: list[str] = []
    if path.exists():
        conn = _read_only(path)
        try:
            stored = [r[0] for r in conn.execute("SELECT name_enc FROM watches ORDER BY id LIMIT ?", [MAX_WATCHES])]
        except sqlite3.Error:
            stored = []
        finally:
            conn.close()
    try:
        vault = current()
    except VaultError as exc:
        return fail("key", str(exc), "set RELEASEWATCH_KEY to the key printed by 'releasewatch keygen'.")
    if vault is None:
        if stored:
            return fail("key", f"{len(stored)} watched names are stored but RELEASEWATCH_KEY is not set",
                        "set RELEASEWATCH_KEY to the key they were saved with; without it no watch alert goes out.")
        return skip("key", "RELEASEWATCH_KEY is not set: /watch is off (to turn it on: 'releasewatch keygen')")
    unreadable = 0
    for token in stored:
        try:
            vault.decrypt(token)
        except VaultError:
            unreadable += 1
    if unreadable:
        return fail("key", f"{unreadable} of {len(stored)} watched names cannot be read with RELEASEWATCH_KEY",
                    "put the key they were saved with in RELEASEWATCH_OLD_KEYS, then run 'releasewatch rotate-key'.")
    return ok("key", f"RELEASEWATCH_KEY is valid and reads all {len(stored)} watched names")


# -- all together -----------------------------------------------------------------------------------
async def run_checks(config_path: str | Path) -> list[Check]:
    first, config = check_config(config_path)
    if config is None:
        return [first]
    checks = [first]
    async with httpx.AsyncClient(timeout=httpx.Timeout(TOKEN_TIMEOUT), follow_redirects=False) as client:
        checks.append(await check_telegram(config, client))
        checks.append(await check_matrix(config, client))
    checks.append(check_web(config))
    seen = {f.url for f in config.feeds}
    feeds = [(f.name, f.url, f.lang) for f in config.feeds]
    feeds += [f for f in database_feeds(config.database) if f[1] not in seen]
    checks += await check_feeds(config, feeds)
    checks.append(check_key(config.database))
    checks.append(check_database(config.database))
    checks += check_permissions(config.database)
    return checks


def main(config_path: str | Path, out: TextIO | None = None) -> int:
    """Print the report; 0 if nothing failed, 1 otherwise."""
    out = out or sys.stdout
    checks = asyncio.run(run_checks(config_path))
    for c in checks:
        print(c.line(), file=out)
    failed = sum(c.status == "fail" for c in checks)
    print(f"{failed} of {len(checks)} checks failed." if failed else f"all {len(checks)} checks passed.", file=out)
    return 1 if failed else 0
