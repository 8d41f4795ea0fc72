"""A real Synapse homeserver on a free 127.0.0.1 port, for tests and bench/.

Tests take it through the pytest fixtures in tests/synapse_fixtures.py (one server per test
process)::

    from tests.synapse_fixtures import matrix_users_fixture, synapse_fixture  # noqa: F401

    async def test_something(synapse, matrix_users):
        bot, reader = matrix_users("bot"), matrix_users("reader")
        client = nio.AsyncClient(synapse.url, bot.user_id)
        client.restore_login(bot.user_id, bot.device_id, bot.access_token)

Or standalone (bench/matrix_startup.py)::

    with SynapseServer() as hs:          # start(workdir) picks a temp dir if omitted
        user = hs.new_user("alice")

The server speaks the client-server API only (no federation listener, no key servers, no
presence, no URL previews, no metrics), keeps everything (SQLite DB, media, signing key,
logs) in its workdir, and runs with rate limits raised so far that tests never see
M_LIMIT_EXCEEDED. Synapse runs as a subprocess of ``sys.executable``; it is stopped by
``stop()``, by an ``atexit`` hook, and (on Linux, when started from the main thread) by
the kernel if the test process dies.

It is over 400 lines because writing the homeserver's configuration, registering users and the
process's lifetime (start, wait until ready, stop on every path) are one concern, read together.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

__all__ = ["MatrixUser", "SynapseError", "SynapseServer"]

# Every rate limiter Synapse knows (unknown keys are ignored by Synapse, so listing one
# that an older/newer release lacks is harmless).
_RELAXED = {"per_second": 100000, "burst_count": 1000000}
_RATE_LIMITS: dict[str, object] = {
    "rc_message": _RELAXED,
    "rc_registration": _RELAXED,
    "rc_registration_token_validity": _RELAXED,
    "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
    "rc_admin_redaction": _RELAXED,
    "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
    "rc_joins_per_room": _RELAXED,
    "rc_key_requests": _RELAXED,
    "rc_3pid_validation": _RELAXED,
    "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
    "rc_third_party_invite": _RELAXED,
    "rc_media_create": _RELAXED,
    "rc_presence": {"per_user": _RELAXED},
    "rc_delayed_event_mgmt": _RELAXED,
    "rc_room_creation": _RELAXED,
    "rc_reports": _RELAXED,
    "rc_user_directory": _RELAXED,
    "rc_profile": _RELAXED,
    "rc_send_to_device": _RELAXED,
    "rc_federation": {
        "window_size": 1000,
        "sleep_limit": 100000,
        "sleep_delay": 0,
        "reject_limit": 100000,
        "concurrent": 1000,
    },
}

_LOG_TAIL_LINES = 60


class SynapseError(RuntimeError):
    """Synapse failed to start, exited, or refused an admin request."""


@dataclass(frozen=True)
class MatrixUser:
    """A registered account; token and device id feed ``nio.AsyncClient.restore_login``."""

    user_id: str  # "@alice-1-ab12cd:localhost"
    localpart: str  # "alice-1-ab12cd"
    password: str
    access_token: str
    device_id: str
    homeserver: str  # base URL, same as SynapseServer.url


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except Exception:  # pragma: no cover - best effort, non-Linux
        pass


# Servers still running in this process; stopped at interpreter exit.
_LIVE: weakref.WeakSet[SynapseServer] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


class SynapseServer:
    """One Synapse process. ``start()`` blocks until ``/_matrix/client/versions`` answers."""

    def __init__(
        self,
        server_name: str = "localhost",
        *,
        python: str | None = None,
        startup_timeout: float = 120.0,
        log_level: str = "WARNING",
        extra_config: dict[str, object] | None = None,
    ) -> None:
        self._server_name = server_name
        self.python = python or sys.executable
        self.startup_timeout = startup_timeout
        self.log_level = log_level
        self.extra_config = dict(extra_config or {})
        self.workdir: Path | None = None
        self.port: int | None = None
        self.registration_shared_secret = secrets.token_urlsafe(32)
        self.startup_seconds: float | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._stdout: object | None = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ properties
    @property
    def server_name(self) -> str:
        return self._server_name

    @property
    def url(self) -> str:
        """Homeserver base URL, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
        if self.port is None:
            raise SynapseError("SynapseServer not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def config_path(self) -> Path:
        assert self.workdir is not None, "not started"
        return self.workdir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        assert self.workdir is not None, "not started"
        return self.workdir / "homeserver.log"

    @property
    def stdout_path(self) -> Path:
        assert self.workdir is not None, "not started"
        return self.workdir / "synapse.stdout.log"

    def rss_bytes(self) -> int | None:
        """Resident set size of the Synapse process (VmRSS from /proc), or None."""
        if not self.running:
            return None
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    # ------------------------------------------------------------------ config
    def _write_config(self) -> None:
        wd = self.workdir
        assert wd is not None and self.port is not None
        log_config = {
            "version": 1,
            "formatters": {
                "precise": {"format": "%(asctime)s - %(name)s - %(levelname)s - %(message)s"}
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "root": {"level": self.log_level, "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (wd / "log.config").write_text(json.dumps(log_config, indent=2) + "\n")

        config: dict[str, object] = {
            "server_name": self._server_name,
            "public_baseurl": f"http://127.0.0.1:{self.port}/",
            "pid_file": str(wd / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "bind_addresses": ["127.0.0.1"],
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(wd / "homeserver.db")}},
            "log_config": str(wd / "log.config"),
            "media_store_path": str(wd / "media_store"),
            "signing_key_path": str(wd / f"{self._server_name}.signing.key"),
            "registration_shared_secret": self.registration_shared_secret,
            "macaroon_secret_key": secrets.token_urlsafe(32),
            "form_secret": secrets.token_urlsafe(32),
            "enable_registration": False,
            "report_stats": False,
            "enable_metrics": False,
            "federation_domain_whitelist": [],
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "url_preview_enabled": False,
            "presence": {"enabled": False},
            "allow_guest_access": False,
            **_RATE_LIMITS,
            **self.extra_config,
        }
        # YAML is a superset of JSON: no YAML library needed, no quoting surprises.
        self.config_path.write_text(json.dumps(config, indent=2) + "\n")

    def _generate_keys(self) -> None:
        proc = subprocess.run(
            [
                self.python,
                "-m",
                "synapse.app.homeserver",
                "-c",
                str(self.config_path),
                "--generate-keys",
            ],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=self.startup_timeout,
        )
        if proc.returncode != 0:
            raise SynapseError(
                f"synapse --generate-keys failed ({proc.returncode}):\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )

    # ------------------------------------------------------------------ lifecycle
    def start(self, workdir: Path | str | None = None) -> SynapseServer:
        """Write config into ``workdir`` (a temp dir if None), start Synapse, wait until ready.

        Returns self. Raises SynapseError with the tail of the logs on failure/timeout.
        """
        if self.running:
            raise SynapseError("SynapseServer already running")
        if workdir is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="synapse-")
            workdir = self._tmpdir.name
        self.workdir = Path(workdir).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)

        t0 = time.monotonic()
        last_error: SynapseError | None = None
        for _attempt in range(3):  # a new port if another process grabbed ours
            self.port = _free_port()
            self._write_config()
            if not (self.workdir / f"{self._server_name}.signing.key").exists():
                self._generate_keys()
            try:
                self._spawn_and_wait()
            except SynapseError as exc:
                last_error = exc
                self._terminate()
                if "Address already in use" in str(exc):
                    continue
                raise
            self.startup_seconds = time.monotonic() - t0
            _LIVE.add(self)
            return self
        assert last_error is not None
        raise last_error

    def _spawn_and_wait(self) -> None:
        assert self.workdir is not None
        stdout = open(self.stdout_path, "ab")  # noqa: SIM115 - closed in _terminate
        self._stdout = stdout
        in_main_thread = threading.current_thread() is threading.main_thread()
        env = dict(os.environ)
        env.pop("SYNAPSE_CONFIG_PATH", None)
        self.process = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_die_with_parent if in_main_thread and sys.platform == "linux" else None,
        )
        deadline = time.monotonic() + self.startup_timeout
        versions = f"{self.url}/_matrix/client/versions"
        with httpx.Client(timeout=2.0, trust_env=False) as http:
            while True:
                rc = self.process.poll()
                if rc is not None:
                    raise SynapseError(
                        f"Synapse exited with code {rc} during startup.\n{self._log_tails()}"
                    )
                try:
                    if http.get(versions).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SynapseError(
                        f"Synapse not ready after {self.startup_timeout:.0f}s on {self.url}.\n"
                        f"{self._log_tails()}"
                    )
                time.sleep(0.1)

    def _log_tails(self) -> str:
        out = []
        for p in (self.stdout_path, self.log_path):
            out.append(f"--- tail of {p} ---\n{_tail(p)}")
        return "\n".join(out)

    def _terminate(self, timeout: float = 20.0) -> None:
        proc = self.process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(timeout=10)
        if self._stdout is not None:
            with contextlib.suppress(Exception):
                self._stdout.close()  # type: ignore[attr-defined]
            self._stdout = None

    def stop(self) -> None:
        """SIGTERM, wait up to 20 s, then SIGKILL. Idempotent. Keeps workdir (unless temp)."""
        self._terminate()
        _LIVE.discard(self)
        if self._tmpdir is not None:
            with contextlib.suppress(Exception):
                self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> SynapseServer:
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ users
    def register_user(self, localpart: str, password: str, admin: bool = False) -> tuple[str, str]:
        """Register via the shared-secret admin API. Returns ``(user_id, access_token)``."""
        data = self._register(localpart, password, admin)
        return data["user_id"], data["access_token"]

    def new_user(
        self, prefix: str = "user", *, admin: bool = False, password: str | None = None
    ) -> MatrixUser:
        """Register a fresh, unique user (``<prefix>-<n>-<random>``) and return its details."""
        localpart = f"{prefix.lower()}-{next(self._counter)}-{uuid.uuid4().hex[:6]}"
        password = password or secrets.token_urlsafe(16)
        data = self._register(localpart, password, admin)
        return MatrixUser(
            user_id=data["user_id"],
            localpart=localpart,
            password=password,
            access_token=data["access_token"],
            device_id=data.get("device_id", ""),
            homeserver=self.url,
        )

    def _register(self, localpart: str, password: str, admin: bool) -> dict[str, str]:
        if not self.running:
            raise SynapseError("SynapseServer not running")
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        with httpx.Client(timeout=30.0, trust_env=False) as http:
            r = http.get(endpoint)
            if r.status_code != 200:
                raise SynapseError(f"GET {endpoint}: {r.status_code} {r.text}")
            nonce = r.json()["nonce"]
            mac = hmac.new(self.registration_shared_secret.encode(), digestmod=hashlib.sha1)
            mac.update(nonce.encode())
            mac.update(b"\x00")
            mac.update(localpart.encode())
            mac.update(b"\x00")
            mac.update(password.encode())
            mac.update(b"\x00")
            mac.update(b"admin" if admin else b"notadmin")
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            r = http.post(endpoint, json=body)
            if r.status_code != 200:
                raise SynapseError(f"register {localpart!r}: {r.status_code} {r.text}")
            return r.json()

    def __repr__(self) -> str:
        state = f"{self.url} pid={self.pid}" if self.running else "stopped"
        return f"<SynapseServer {self._server_name} {state}>"
