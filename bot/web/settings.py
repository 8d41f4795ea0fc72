"""The [web] table of the config: whether the bot serves its public page, where, and for whom.
Validated here so the rest of the config stays untouched; secrets (the token) come from the
environment only, never from the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

TOKEN_ENV = "RELEASEWATCH_WEB_TOKEN"

# key -> (type, what is expected), as bot.config describes its keys
_WEB: dict[str, tuple[type, str]] = {
    "enabled": (bool, "true or false"),
    "host": (str, 'an address string like "127.0.0.1"'),
    "port": (int, "a port number (1 to 65535)"),
    "public": (bool, "true or false"),
    "base_url": (str, 'the public http(s) URL of the page, like "https://ledger.example.org/"'),
}


@dataclass(frozen=True)
class WebConfig:
    enabled: bool = False
    host: str = "127.0.0.1"  # loopback: put a reverse proxy in front to publish it
    port: int = 8787
    public: bool = True  # false: every route needs the token in RELEASEWATCH_WEB_TOKEN
    base_url: str | None = None  # absolute links and feed ids; else taken from each request

    @property
    def token(self) -> str | None:
        return os.environ.get(TOKEN_ENV) or None


def parse_web(table: dict[str, Any]) -> WebConfig:
    """Validate a [web] table; every mistake is a ConfigError naming the key."""
    from ..config import ConfigError  # here: bot.config imports this module

    for key, value in table.items():
        if key not in _WEB:
            raise ConfigError(f"Unknown config key 'web.{key}'; expected one of: {', '.join(sorted(_WEB))}.")
        kind, expected = _WEB[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ConfigError(f"Config key 'web.{key}' must be {expected}, not {value!r}.")
    port = table.get("port", WebConfig.port)
    if not 1 <= port <= 65535:
        raise ConfigError(f"Config key 'web.port' must be a port number (1 to 65535), not {port!r}.")
    base_url = table.get("base_url")
    if base_url is not None:
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query or parsed.fragment:
            raise ConfigError(f"Config key 'web.base_url' must be an http(s) URL without query, not {base_url!r}.")
        base_url = base_url if base_url.endswith("/") else base_url + "/"
    host = table.get("host", WebConfig.host)
    if not host or "\x00" in host:
        raise ConfigError("Config key 'web.host' must be an address string like \"127.0.0.1\".")
    return WebConfig(enabled=table.get("enabled", False), host=host, port=port,
                     public=table.get("public", True), base_url=base_url)
