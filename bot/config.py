"""Configuration: one TOML file validated into frozen dataclasses.

Each key is declared once, on its dataclass field: type, default, bounds and help. pydantic checks a
file against those declarations; a user's mistake becomes a ConfigError of one sentence naming the
key (the CLI exits 2). Secrets never come from here: tokens and passwords come from the environment.
They stay plain frozen dataclasses (callers use dataclasses.replace), and objects built in code
(tests, the demo, bench/) are not validated: the bounds are for people editing a file.

It is longer than most modules (over 400 lines) because every key's declaration lives on its
dataclass field here (one place for type, default, bounds and help), with the one validator that
reads them.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import AfterValidator, AliasPath, BeforeValidator, ConfigDict, Field, Strict, TypeAdapter, ValidationError, with_config
from pydantic.fields import FieldInfo

from .i18n import DEFAULT_LANG, LANGS


class ConfigError(Exception):
    """A configuration problem a user can fix; the message is one plain sentence."""


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


def _http_url(value: str) -> str:
    try:
        parsed = urlparse(value)
    except ValueError:  # e.g. "http://[::1"
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"must be an http(s) URL, not {_show(value)}")
    return value


def _matrix_user_id(value: str) -> str:
    if not (value.startswith("@") and ":" in value):
        raise ValueError('must look like "@name:example.org"')
    return value


def _lang(value: str) -> str:
    if value not in LANGS:
        options = " or ".join(f'"{lang}"' for lang in LANGS)
        raise ValueError(f"must be {options}, not {_show(value)}")
    return value


def _file_path(value: object) -> Path:
    if not isinstance(value, str):
        raise ValueError(f"must be a file path string, not {_show(value)}")
    try:
        return Path(_no_nul(value)).expanduser()
    except RuntimeError:  # "~nobody/rw.db" with no such user
        raise ValueError(f"names a home directory that does not exist: {_show(value)}") from None


# TOML gives exact types: a number must not arrive as true/false, a list must hold what it says.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]  # a whole number is accepted and stored as a float
Bool = Annotated[bool, Strict()]
Text = Annotated[str, Strict(), AfterValidator(_no_nul)]
Name = Annotated[Text, Field(min_length=1)]
Url = Annotated[Text, AfterValidator(_http_url)]
Seconds = Annotated[Int, Field(ge=30, le=7 * 86400)]
Lang = Annotated[Text, AfterValidator(_lang)]
TelegramId = Annotated[Int, Field(ge=-(2**53), le=2**53)]  # at most 52 significant bits; supergroups are -100…

_FILE = ConfigDict(extra="forbid", allow_inf_nan=False)


def _in_review(key: str) -> Any:
    """The key sits in the file's [review] table."""
    return Field(validation_alias=AliasPath("review", key))


@with_config(_FILE)
@dataclass(frozen=True)
class FeedConfig:
    name: Annotated[Text, Field(description="Shown to users as the source.")]
    url: Annotated[Url, Field(description="The feed's http(s) URL.")]
    lang: Annotated[Lang | None, Field(description="Language of the feed; detected when left out.")] = None
    interval: Annotated[Seconds | None, Field(description="Seconds between polls of this feed; poll_interval if left out.")] = None
    allow_private: Annotated[
        Bool, Field(description="This feed may be on a loopback or private address (a bridge on your own machine).")
    ] = False
    review: Annotated[Bool, Field(description="Alerts from this feed's items go to staff review first.")] = False
    priority: Annotated[
        Bool, Field(description="Poll this feed every 60 seconds whatever its rhythm (an NGO's own channel).")
    ] = False


@with_config(_FILE)
@dataclass(frozen=True)
class TelegramConfig:
    enabled: Annotated[Bool, Field(description="Serve Telegram chats (needs TELEGRAM_BOT_TOKEN).")] = False
    api_base_url: Annotated[Url | None, Field(description="A self-hosted Bot API server; Telegram's own if left out.")] = None
    mode: Annotated[Literal["polling", "webhook"], Field(description="How updates arrive.")] = "polling"
    webhook_url: Annotated[Text | None, Field(description="Public https URL Telegram posts to (webhook mode).")] = None
    webhook_listen: Annotated[Text, Field(description="Address the webhook server listens on.")] = "127.0.0.1"
    webhook_port: Annotated[Int, Field(ge=1, le=65535, description="Port the webhook server listens on.")] = 8443
    staff_user_ids: Annotated[tuple[TelegramId, ...], Field(description="Telegram user ids of NGO staff.")] = ()
    staff_chat_id: Annotated[TelegramId | None, Field(description="Staff group for held alerts and feed problems.")] = None
    messages_per_second: Annotated[
        Float, Field(ge=1, le=1000, description="Broadcast rate; above 30 alerts go out as paid broadcasts.")
    ] = 30.0
    group_messages_per_minute: Annotated[Float, Field(ge=1, le=60, description="Sending rate into one group.")] = 20.0

    @property
    def token(self) -> str | None:
        return os.environ.get("TELEGRAM_BOT_TOKEN") or None


@with_config(_FILE)
@dataclass(frozen=True)
class MatrixConfig:
    enabled: Annotated[Bool, Field(description="Serve Matrix rooms (needs MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD).")] = False
    homeserver: Annotated[Url | None, Field(description="The bot user's homeserver URL.")] = None
    user_id: Annotated[Text | None, AfterValidator(_matrix_user_id), Field(description="The bot's Matrix user id.")] = None
    device_name: Annotated[Text, Field(description="Device name of the bot's session.")] = "ReleaseWatch"
    rooms: Annotated[tuple[Name, ...], Field(description="Rooms joined at start-up (ids or aliases).")] = ()
    allowed_inviters: Annotated[
        tuple[Name, ...], Field(description='Invites accepted only from these users ("@a:hs") or servers ("hs").')
    ] = ()
    staff_user_ids: Annotated[tuple[Name, ...], Field(description="Matrix user ids of NGO staff.")] = ()
    staff_room: Annotated[Text | None, Field(description="Room for held alerts and feed problems.")] = None
    encryption: Annotated[Bool, Field(description="Read and write end-to-end encrypted rooms (keeps a crypto store).")] = True
    store_path: Annotated[
        Path | None, BeforeValidator(_file_path),
        Field(description="Crypto store directory (relative: to the database's); beside the database if left out."),
    ] = None
    trust: Annotated[
        Literal["members", "verified_staff_room"],
        Field(description="Who gets room keys: every device of every member, or in the staff room only verified_devices."),
    ] = "members"
    verified_devices: Annotated[
        tuple[Name, ...], Field(description='"@user:server DEVICEID ed25519-key" of each device the staff room may read.')
    ] = ()

    @property
    def access_token(self) -> str | None:
        return os.environ.get("MATRIX_ACCESS_TOKEN") or None

    @property
    def password(self) -> str | None:
        return os.environ.get("MATRIX_PASSWORD") or None


@with_config(_FILE)
@dataclass(frozen=True)
class HealthConfig:
    """[health]: the /healthz, /readyz and /metrics endpoint (bot/health.py)."""

    enabled: Annotated[Bool, Field(description="Serve /healthz, /readyz and /metrics.")] = False
    # loopback: the metrics say how the service runs, they are not for the world
    host: Annotated[Text, Field(min_length=1, description="Address the endpoint listens on.")] = "127.0.0.1"
    port: Annotated[Int, Field(ge=1, le=65535, description="Port of the endpoint.")] = 9469
    max_connections: Annotated[
        Int, Field(ge=1, le=100_000, description="Connections kept open at once; beyond, idle ones are closed.")
    ] = 100


def _base_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query or parsed.fragment:
        raise ValueError(f"must be an http(s) URL without query, not {_show(value)}")
    return value if value.endswith("/") else value + "/"


WEB_TOKEN_ENV = "RELEASEWATCH_WEB_TOKEN"


@with_config(_FILE)
@dataclass(frozen=True)
class WebConfig:
    """[web]: the public (or token-guarded) page, feeds and API of the ledger (bot/web/)."""

    enabled: Annotated[Bool, Field(description="Serve the ledger's web page, feeds and API.")] = False
    # loopback: put a reverse proxy in front to publish it
    host: Annotated[Text, Field(min_length=1, description="Address the page listens on.")] = "127.0.0.1"
    port: Annotated[Int, Field(ge=1, le=65535, description="Port of the page.")] = 8787
    public: Annotated[Bool, Field(description=f"false: every route needs the token in {WEB_TOKEN_ENV}.")] = True
    base_url: Annotated[
        Text | None, AfterValidator(lambda v: v if v is None else _base_url(v)),
        Field(description="The page's public http(s) address, for feed links and ids."),
    ] = None
    public_url: Annotated[
        Text | None, AfterValidator(lambda v: v if v is None else _base_url(v)),
        Field(description="The address at which WebSub hubs reach this server; setting it turns WebSub push on."),
    ] = None
    max_connections: Annotated[
        Int, Field(ge=1, le=100_000, description="Connections kept open at once; beyond, idle ones are closed.")
    ] = 1000

    @property
    def token(self) -> str | None:
        # a line of an environment file may end in spaces; readers' headers are stripped too
        return (os.environ.get(WEB_TOKEN_ENV) or "").strip() or None


@with_config(_FILE)
@dataclass(frozen=True)
class Config:
    database: Annotated[
        Path, BeforeValidator(_file_path), Field(description="SQLite file; relative to the config file.")
    ] = Path("releasewatch.db")
    poll_interval: Annotated[
        Seconds, Field(description="Seconds between polls of a feed whose rhythm is not known yet.")
    ] = 300
    min_interval: Annotated[
        Seconds, Field(description="Fewest seconds between polls of a feed, however often it publishes.")
    ] = 120
    max_interval: Annotated[
        Seconds, Field(description="Most seconds between polls of a feed, however rarely it publishes (and of pushed feeds).")
    ] = 3600
    max_concurrent_fetches: Annotated[  # above the number of slow feeds, or they hold up a cycle
        Int, Field(ge=1, le=256, description="Feeds fetched at the same time.")
    ] = 64
    request_timeout: Annotated[Float, Field(gt=0, le=3600, description="Seconds one HTTP request may take.")] = 20.0
    max_feed_bytes: Annotated[Int, Field(ge=1, le=10**9, description="Largest feed body accepted, after decompression.")] = 5_000_000
    allow_private_feed_urls: Annotated[Bool, Field(description="Accept feeds on loopback or private addresses.")] = False
    max_alert_age_hours: Annotated[  # feeds re-emit old entries under new GUIDs; bridges serve old posts
        Int, Field(ge=1, le=24 * 366, description="An item whose own date is older than this never alerts.")
    ] = 72
    event_window_days: Annotated[Int, Field(ge=0, le=366, description="Reports this many days apart can be one event.")] = 10
    default_lang: Annotated[Lang, Field(description="Console language and chats' language until they choose.")] = DEFAULT_LANG
    log_format: Annotated[Literal["text", "json"], Field(description="Log line format.")] = "text"
    retention_days: Annotated[  # items, extractions and finished deliveries older than this are deleted
        Int, Field(ge=0, le=100 * 366, description="Days items are kept; 0 keeps everything.")
    ] = 180
    # the file's [review] table, kept flat on the object
    review_mode: Annotated[
        Literal["off", "low_confidence", "all"], _in_review("mode"), Field(description="Which alerts staff hold for review.")
    ] = "low_confidence"
    review_threshold: Annotated[
        Float, _in_review("threshold"), Field(ge=0, le=1, description="Confidence below which alerts are held.")
    ] = 0.6
    review_remind_minutes: Annotated[
        Int, _in_review("remind_after_minutes"), Field(ge=1, le=10080, description="Minutes until staff hear again of a held alert.")
    ] = 30
    feeds: Annotated[tuple[FeedConfig, ...], Field(description="The [[feeds]] tables.")] = ()
    telegram: Annotated[TelegramConfig, Field(description="The [telegram] table.")] = field(default_factory=TelegramConfig)
    matrix: Annotated[MatrixConfig, Field(description="The [matrix] table.")] = field(default_factory=MatrixConfig)
    health: Annotated[HealthConfig, Field(description="The [health] table.")] = field(default_factory=HealthConfig)
    web: Annotated[WebConfig, Field(description="The [web] table.")] = field(default_factory=WebConfig)


# -- the file's keys, read from the declarations above -------------------------------------------------


def _fields(cls: type) -> Iterator[tuple[tuple[str, ...], FieldInfo]]:
    """(path in the file, declaration) of each field of a config dataclass."""
    hints = typing.get_type_hints(cls, include_extras=True)
    for f in dataclasses.fields(cls):
        info = FieldInfo.from_annotation(hints[f.name])
        alias = info.validation_alias
        path = tuple(str(p) for p in alias.path) if isinstance(alias, AliasPath) else (f.name,)
        yield path, info


@cache
def config_keys() -> dict[str, FieldInfo]:
    """Every key a config file may hold, dotted as in the file ("telegram.mode", "feeds.url"), with its declaration."""
    keys: dict[str, FieldInfo] = {}

    def walk(cls: type, prefix: str) -> None:
        for path, info in _fields(cls):
            key = prefix + ".".join(path)
            args = typing.get_args(info.annotation)
            inner = args[0] if typing.get_origin(info.annotation) is tuple and args else info.annotation
            if dataclasses.is_dataclass(inner):
                walk(typing.cast(type, inner), key + ".")
            else:
                keys[key] = info

    walk(Config, "")
    return keys


def _tables() -> dict[str, set[str]]:
    """Each table of the file ("" is the top) with the keys it may hold."""
    tables: dict[str, set[str]] = {}
    for key in config_keys():
        parts = key.split(".")
        for i in range(len(parts)):
            tables.setdefault(".".join(parts[:i]), set()).add(parts[i])
    return tables


# -- pydantic's errors as one sentence --------------------------------------------------------------

_EXPECTED = {
    "int_type": "a whole number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "string_type": "a string",
    "tuple_type": "a list",
    "dataclass_type": "a table",
    "string_too_short": "a non-empty string",
}


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bounds(info: FieldInfo | None) -> str:
    """The range a number must fall in, e.g. "between 1 and 60", as declared on the field."""
    found = list(info.metadata) if info else []
    for arm in typing.get_args(info.annotation) if info else ():  # Seconds | None, tuple[TelegramId, ...]
        if arm not in (type(None), Ellipsis):
            found += FieldInfo.from_annotation(arm).metadata
    limits = {name: getattr(m, name) for m in found for name in ("ge", "gt", "le") if getattr(m, name, None) is not None}
    if "ge" in limits and "le" in limits:
        return f"between {limits['ge']} and {limits['le']}"
    low = f"at least {limits['ge']}" if "ge" in limits else f"more than {limits['gt']}" if "gt" in limits else ""
    high = f"at most {limits['le']}" if "le" in limits else ""
    return " and ".join(p for p in (low, high) if p)


def _sentence(err: Any) -> str:
    loc = err["loc"]
    # feeds[0].url names the table; a trailing index is an item of a list of plain values
    item = f" item {loc[-1] + 1}" if loc and isinstance(loc[-1], int) else ""
    where = loc[:-1] if item else loc
    name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    key = ".".join(str(p) for p in where if not isinstance(p, int))
    kind = err["type"]
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        known = ", ".join(sorted(_tables().get(key.rpartition(".")[0], ())))
        return f"Unknown config key '{name}'; expected one of: {known}."
    if kind == "missing":
        return f"Config key '{name}' is missing."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal"):
        return f"Config key '{name}'{item} must be {_bounds(config_keys().get(key))}."
    if kind == "value_error":  # our validators above say what is wrong
        return f"Config key '{name}'{item} {err['ctx']['error']}."
    expected = err["ctx"]["expected"].replace("'", '"') if kind == "literal_error" else _EXPECTED.get(kind, "valid")
    return f"Config key '{name}'{item} must be {expected}, not {_show(err['input'])}."


# -- parsing ------------------------------------------------------------------------------------------


@cache
def _validator() -> TypeAdapter[Config]:
    return TypeAdapter(Config)


def _check_grouped(data: dict[str, Any]) -> None:
    # pydantic reads [review] into flat fields through AliasPath, but lets unknown keys inside it pass
    groups: dict[str, set[str]] = {}
    for path, _ in _fields(Config):
        if len(path) == 2:
            groups.setdefault(path[0], set()).add(path[1])
    for table, keys in groups.items():
        value = data.get(table, {})
        if not isinstance(value, dict):
            raise ConfigError(f"Config key '{table}' must be a [{table}] table, not {_show(value)}.")
        for key in value:
            if key not in keys:
                raise ConfigError(f"Unknown config key '{table}.{key}'; expected one of: {', '.join(sorted(keys))}.")


def _check_together(config: Config) -> None:
    """Rules across keys, which one field's declaration cannot state."""
    seen: set[str] = set()
    for i, feed in enumerate(config.feeds):
        if feed.url in seen:
            raise ConfigError(f"Config key 'feeds[{i}].url' repeats the feed {feed.url}.")
        seen.add(feed.url)
    if config.min_interval > config.max_interval:
        raise ConfigError(f"Config key 'min_interval' ({config.min_interval}) must not be above "
                          f"'max_interval' ({config.max_interval}).")
    if config.web.public_url is not None and not config.web.enabled:
        raise ConfigError("Config key 'web.public_url' needs 'web.enabled = true': WebSub hubs call back on that server.")
    if config.telegram.mode == "webhook" and config.telegram.webhook_url is None:
        raise ConfigError("Config key 'telegram.webhook_url' is required when mode is webhook.")
    if config.matrix.enabled and not (config.matrix.homeserver and config.matrix.user_id):
        raise ConfigError("Config keys 'matrix.homeserver' and 'matrix.user_id' are required.")
    token = os.environ.get(WEB_TOKEN_ENV)
    if config.web.enabled and token and not token.strip():
        # "   " would be a token anyone can guess (?token=%20%20%20), or, stripped, no token at all
        raise ConfigError(f"{WEB_TOKEN_ENV} holds only spaces; set it to a long random token "
                          "(openssl rand -hex 32) or unset it.")


def parse_config(data: dict[str, Any], base_dir: Path | None = None) -> Config:
    """Validate a TOML document (already parsed) into a Config."""
    _check_grouped(data)
    try:
        config = _validator().validate_python(data)
    except ValidationError as exc:
        raise ConfigError(_sentence(exc.errors(include_url=False)[0])) from None
    _check_together(config)
    if base_dir is not None and not config.database.is_absolute():
        config = dataclasses.replace(config, database=base_dir / config.database)
    return config


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
