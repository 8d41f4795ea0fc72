"""Configuration: one TOML file validated into frozen dataclasses.

A user's mistake (unknown key, wrong type, bad value) raises ConfigError naming the key and what
was expected; the CLI turns it into one sentence and exit code 2. Secrets never come from here:
tokens and passwords are read from the environment only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .web.settings import WebConfig, parse_web

LANGS = ("es", "en")


class ConfigError(Exception):
    """A configuration problem a user can fix; the message is one plain sentence."""


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    lang: str | None = None
    interval: int | None = None  # seconds; None means the global poll interval


@dataclass(frozen=True)
class TelegramConfig:
    enabled: bool = False
    api_base_url: str | None = None
    mode: str = "polling"  # polling | webhook
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    staff_user_ids: tuple[int, ...] = ()
    staff_chat_id: int | None = None
    messages_per_second: float = 30.0  # Telegram's broadcast limit; up to 1000 with paid broadcasts
    group_messages_per_minute: float = 20.0

    @property
    def token(self) -> str | None:
        return os.environ.get("TELEGRAM_BOT_TOKEN") or None


@dataclass(frozen=True)
class MatrixConfig:
    enabled: bool = False
    homeserver: str | None = None
    user_id: str | None = None
    device_name: str = "ReleaseWatch"
    rooms: tuple[str, ...] = ()
    allowed_inviters: tuple[str, ...] = ()  # user ids ("@a:hs") or server names (":hs" / "hs")
    staff_user_ids: tuple[str, ...] = ()
    staff_room: str | None = None

    @property
    def access_token(self) -> str | None:
        return os.environ.get("MATRIX_ACCESS_TOKEN") or None

    @property
    def password(self) -> str | None:
        return os.environ.get("MATRIX_PASSWORD") or None


@dataclass(frozen=True)
class Config:
    database: Path = Path("releasewatch.db")
    poll_interval: int = 300
    max_concurrent_fetches: int = 64  # above the number of slow feeds, or they hold up a cycle
    request_timeout: float = 20.0
    max_feed_bytes: int = 5_000_000
    allow_private_feed_urls: bool = False
    event_window_days: int = 10
    default_lang: str = "es"
    log_format: str = "text"  # text | json
    retention_days: int = 180  # items, extractions and finished deliveries older than this are deleted
    review_mode: str = "low_confidence"  # off | low_confidence | all
    review_threshold: float = 0.6
    review_remind_minutes: int = 30
    feeds: tuple[FeedConfig, ...] = ()
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    matrix: MatrixConfig = field(default_factory=MatrixConfig)
    web: WebConfig = field(default_factory=WebConfig)  # [web]: bot/web/settings.py


# key -> (type(s), description of what is expected)
_TOP: dict[str, tuple[Any, str]] = {
    "database": (str, "a file path string"),
    "poll_interval": (int, "a whole number of seconds (at least 30)"),
    "max_concurrent_fetches": (int, "a whole number between 1 and 256"),
    "request_timeout": ((int, float), "a number of seconds"),
    "max_feed_bytes": (int, "a whole number of bytes"),
    "allow_private_feed_urls": (bool, "true or false"),
    "event_window_days": (int, "a whole number of days"),
    "default_lang": (str, '"es" or "en"'),
    "log_format": (str, '"text" or "json"'),
    "retention_days": (int, "a whole number of days (0 keeps everything)"),
    "feeds": (list, "a list of [[feeds]] tables"),
    "telegram": (dict, "a [telegram] table"),
    "matrix": (dict, "a [matrix] table"),
    "review": (dict, "a [review] table"),
    "web": (dict, "a [web] table"),
}
_REVIEW: dict[str, tuple[Any, str]] = {
    "mode": (str, '"off", "low_confidence" or "all"'),
    "threshold": ((int, float), "a number between 0 and 1"),
    "remind_after_minutes": (int, "a whole number of minutes"),
}
_FEED: dict[str, tuple[Any, str]] = {
    "name": (str, "a name string"),
    "url": (str, "an http(s) URL string"),
    "lang": (str, '"es" or "en"'),
    "interval": (int, "a whole number of seconds"),
}
_TELEGRAM: dict[str, tuple[Any, str]] = {
    "enabled": (bool, "true or false"),
    "api_base_url": (str, "an http(s) URL string"),
    "mode": (str, '"polling" or "webhook"'),
    "webhook_url": (str, "an https URL string"),
    "webhook_listen": (str, "an address string"),
    "webhook_port": (int, "a port number"),
    "staff_user_ids": (list, "a list of Telegram user ids (whole numbers)"),
    "staff_chat_id": (int, "a Telegram chat id (a whole number)"),
    "messages_per_second": ((int, float), "a number of messages per second (1 to 1000)"),
    "group_messages_per_minute": ((int, float), "a number of messages per minute per group (1 to 60)"),
}
_MATRIX: dict[str, tuple[Any, str]] = {
    "enabled": (bool, "true or false"),
    "homeserver": (str, "an http(s) URL string"),
    "user_id": (str, 'a Matrix user id like "@releasewatch:example.org"'),
    "device_name": (str, "a string"),
    "rooms": (list, "a list of room ids or aliases"),
    "allowed_inviters": (list, "a list of Matrix user ids or server names"),
    "staff_user_ids": (list, "a list of Matrix user ids"),
    "staff_room": (str, "a room id or alias"),
}


def _check(table: dict[str, Any], spec: dict[str, tuple[Any, str]], prefix: str) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in spec:
            known = ", ".join(sorted(spec))
            raise ConfigError(f"Unknown config key '{name}'; expected one of: {known}.")
        types, expected = spec[key]
        # bool is an int in Python; a number key given true/false is still a mistake
        if isinstance(value, bool) and types is not bool:
            raise ConfigError(f"Config key '{name}' must be {expected}, not {value!r}.")
        if not isinstance(value, types):
            raise ConfigError(f"Config key '{name}' must be {expected}, not {value!r}.")
        if isinstance(value, int | float) and not isinstance(value, bool) and not -1e12 < value < 1e12:
            raise ConfigError(f"Config key '{name}' must be {expected}, not {value!r}.")  # also nan and inf
        if isinstance(value, str) and "\x00" in value:
            raise ConfigError(f"Config key '{name}' must not contain a NUL character.")


def _url(value: str, name: str) -> str:
    try:
        parsed = urlparse(value)
    except ValueError:
        raise ConfigError(f"Config key '{name}' must be an http(s) URL, not {value!r}.") from None
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"Config key '{name}' must be an http(s) URL, not {value!r}.")
    return value


def _lang(value: str, name: str) -> str:
    if value not in LANGS:
        raise ConfigError(f"Config key '{name}' must be \"es\" or \"en\", not {value!r}.")
    return value


def _int_list(values: list[Any], name: str) -> tuple[int, ...]:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ConfigError(f"Config key '{name}' must be a list of whole numbers.")
    return tuple(values)


def _str_list(values: list[Any], name: str) -> tuple[str, ...]:
    if not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"Config key '{name}' must be a list of non-empty strings.")
    return tuple(values)


def parse_config(data: dict[str, Any], base_dir: Path | None = None) -> Config:
    """Validate a TOML document (already parsed) into a Config."""
    _check(data, _TOP, "")
    kwargs: dict[str, Any] = {}
    for key in ("poll_interval", "max_concurrent_fetches", "max_feed_bytes", "event_window_days", "retention_days"):
        if key in data:
            kwargs[key] = data[key]
    if data.get("retention_days", 180) < 0:
        raise ConfigError("Config key 'retention_days' must be 0 (keep everything) or more.")
    if data.get("poll_interval", 300) < 30:
        raise ConfigError("Config key 'poll_interval' must be at least 30 seconds.")
    if not 1 <= data.get("max_concurrent_fetches", 64) <= 256:
        raise ConfigError("Config key 'max_concurrent_fetches' must be between 1 and 256.")
    if "request_timeout" in data:
        if data["request_timeout"] <= 0:
            raise ConfigError("Config key 'request_timeout' must be a positive number of seconds.")
        kwargs["request_timeout"] = float(data["request_timeout"])
    if "allow_private_feed_urls" in data:
        kwargs["allow_private_feed_urls"] = data["allow_private_feed_urls"]
    if "database" in data:
        path = Path(data["database"]).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        kwargs["database"] = path
    if "default_lang" in data:
        kwargs["default_lang"] = _lang(data["default_lang"], "default_lang")
    if "log_format" in data:
        if data["log_format"] not in ("text", "json"):
            raise ConfigError("Config key 'log_format' must be \"text\" or \"json\".")
        kwargs["log_format"] = data["log_format"]

    feeds = []
    seen_urls: set[str] = set()
    for i, feed in enumerate(data.get("feeds", [])):
        prefix = f"feeds[{i}]."
        if not isinstance(feed, dict):
            raise ConfigError(f"Config key 'feeds[{i}]' must be a table with name and url.")
        _check(feed, _FEED, prefix)
        for required in ("name", "url"):
            if required not in feed:
                raise ConfigError(f"Config key '{prefix}{required}' is missing.")
        url = _url(feed["url"], prefix + "url")
        if url in seen_urls:
            raise ConfigError(f"Config key '{prefix}url' repeats the feed {url}.")
        seen_urls.add(url)
        lang = _lang(feed["lang"], prefix + "lang") if "lang" in feed else None
        interval = feed.get("interval")
        if interval is not None and interval < 30:
            raise ConfigError(f"Config key '{prefix}interval' must be at least 30 seconds.")
        feeds.append(FeedConfig(name=feed["name"], url=url, lang=lang, interval=interval))
    kwargs["feeds"] = tuple(feeds)

    tg = data.get("telegram", {})
    _check(tg, _TELEGRAM, "telegram.")
    if "api_base_url" in tg:
        _url(tg["api_base_url"], "telegram.api_base_url")
    if tg.get("mode", "polling") not in ("polling", "webhook"):
        raise ConfigError("Config key 'telegram.mode' must be \"polling\" or \"webhook\".")
    if tg.get("mode") == "webhook" and "webhook_url" not in tg:
        raise ConfigError("Config key 'telegram.webhook_url' is required when mode is webhook.")
    kwargs["telegram"] = TelegramConfig(
        enabled=tg.get("enabled", False),
        api_base_url=tg.get("api_base_url"),
        mode=tg.get("mode", "polling"),
        webhook_url=tg.get("webhook_url"),
        webhook_listen=tg.get("webhook_listen", "127.0.0.1"),
        webhook_port=tg.get("webhook_port", 8443),
        staff_user_ids=_int_list(tg.get("staff_user_ids", []), "telegram.staff_user_ids"),
        staff_chat_id=tg.get("staff_chat_id"),
        messages_per_second=float(tg.get("messages_per_second", 30.0)),
        group_messages_per_minute=float(tg.get("group_messages_per_minute", 20.0)),
    )
    if not 1 <= kwargs["telegram"].messages_per_second <= 1000:
        raise ConfigError("Config key 'telegram.messages_per_second' must be between 1 and 1000.")
    if not 1 <= kwargs["telegram"].group_messages_per_minute <= 60:
        raise ConfigError("Config key 'telegram.group_messages_per_minute' must be between 1 and 60.")

    rv = data.get("review", {})
    _check(rv, _REVIEW, "review.")
    if rv.get("mode", "low_confidence") not in ("off", "low_confidence", "all"):
        raise ConfigError('Config key \'review.mode\' must be "off", "low_confidence" or "all".')
    if not 0 <= rv.get("threshold", 0.6) <= 1:
        raise ConfigError("Config key 'review.threshold' must be between 0 and 1.")
    if rv.get("remind_after_minutes", 30) < 1:
        raise ConfigError("Config key 'review.remind_after_minutes' must be at least 1.")
    kwargs["review_mode"] = rv.get("mode", "low_confidence")
    kwargs["review_threshold"] = float(rv.get("threshold", 0.6))
    kwargs["review_remind_minutes"] = rv.get("remind_after_minutes", 30)

    mx = data.get("matrix", {})
    _check(mx, _MATRIX, "matrix.")
    if "homeserver" in mx:
        _url(mx["homeserver"], "matrix.homeserver")
    if "user_id" in mx and not (mx["user_id"].startswith("@") and ":" in mx["user_id"]):
        raise ConfigError("Config key 'matrix.user_id' must look like \"@name:example.org\".")
    if mx.get("enabled") and not ("homeserver" in mx and "user_id" in mx):
        raise ConfigError("Config keys 'matrix.homeserver' and 'matrix.user_id' are required.")
    kwargs["matrix"] = MatrixConfig(
        enabled=mx.get("enabled", False),
        homeserver=mx.get("homeserver"),
        user_id=mx.get("user_id"),
        device_name=mx.get("device_name", "ReleaseWatch"),
        rooms=_str_list(mx.get("rooms", []), "matrix.rooms"),
        allowed_inviters=_str_list(mx.get("allowed_inviters", []), "matrix.allowed_inviters"),
        staff_user_ids=_str_list(mx.get("staff_user_ids", []), "matrix.staff_user_ids"),
        staff_room=mx.get("staff_room"),
    )
    kwargs["web"] = parse_web(data.get("web", {}))
    return Config(**kwargs)


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; every problem is a ConfigError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} does not exist.") from None
    except OSError as exc:
        raise ConfigError(f"Config file {path} cannot be read: {exc.strerror}.") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}.") from None
    return parse_config(data, base_dir=path.parent)
