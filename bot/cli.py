"""`releasewatch` command line: parses arguments and calls library functions; nothing else.

Exit codes: 0 success, 1 a runtime failure, 2 a usage or configuration error (with one sentence
on stderr saying what to fix).

Longer than most modules (about 530 lines) because it is one flat list of subcommands, each a short
function beside its argparse declaration; splitting them would only scatter the list people read
to find a command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, ConfigError, load_config
from .errors import StartError
from .platforms import Platform
from .store import AlreadyRunning, Store, iso

if TYPE_CHECKING:
    from .feedhealth import FeedHealth


def _load(args: argparse.Namespace) -> Config:
    return load_config(args.config)


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[tuple[Config, Store]]:
    """The config and its database, closed when the command is done."""
    config = _load(args)
    store = Store(config.database)
    try:
        yield config, store
    finally:
        store.close()


def cmd_match(args: argparse.Namespace) -> int:
    """Read JSON lines {id, title, summary, lang?, published?} on stdin, write one extraction per line."""
    from ._text import json_line, json_lines
    from .matcher import match

    out = sys.stdout
    read = bad = 0

    def skipped(n: int, exc: Exception) -> None:
        nonlocal bad
        print(f"line {n}: not a JSON object ({type(exc).__name__}); skipped", file=sys.stderr)
        bad += 1

    for n, obj in json_lines(sys.stdin, skipped):
        try:
            item_id = str(obj.get("id", n))
            title = str(obj.get("title") or "")
            summary = str(obj.get("summary") or "")
            lang = obj.get("lang") if obj.get("lang") in ("es", "en") else None
            published = obj.get("published") if isinstance(obj.get("published"), str) else None
        except (ValueError, RecursionError) as exc:
            skipped(n, exc)
            continue
        ex = match(title, summary, lang, published)
        out.write(json_line(ex.to_json(item_id)))
        read += 1
    if bad and not read:
        print(f"releasewatch: none of the {bad} line(s) on stdin was a JSON object; nothing was matched.",
              file=sys.stderr)
        return 2
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Items (JSON lines) through the real matcher, events and store; prints alerts, then the ledger."""
    import logging

    from .replay import ItemsFailed, ReplayError, replay

    # a failing item is said once below, in one sentence, not as the pipeline's log traceback
    logging.getLogger("releasewatch").setLevel(logging.ERROR)
    try:
        replay(sys.stdin, sys.stdout, Path(args.db) if args.db else None, review=args.review)
    except ReplayError as exc:
        print(f"releasewatch: {exc}", file=sys.stderr)
        return 2
    except ItemsFailed as exc:
        print(f"releasewatch: {exc}.", file=sys.stderr)
        return 1
    except AlreadyRunning as exc:
        print(f"releasewatch: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import main

    count = main(args.lang)
    return 0 if count else 1


def cmd_poll(args: argparse.Namespace) -> int:
    from .logs import setup_logging
    from .notify import ConsoleNotifier, Notifier
    from .service import Service

    config = _load(args)
    setup_logging(config.log_format, args.verbose)
    store = Store(config.database)
    try:
        store.lock()
    except AlreadyRunning as exc:
        store.close()
        print(f"releasewatch: {exc}", file=sys.stderr)
        return 1

    async def once() -> int:
        extra: dict[str, Notifier] = {}
        if args.console:
            store.subscribe("console", "stdout", args.console)
            extra["console"] = ConsoleNotifier(lang=args.console)
        platforms = _platforms(config, store) if args.send else []
        service = Service(config, store, platforms, extra)
        store.sync_feeds(config.feeds)
        store.reclaim()
        for p in platforms:
            await p.start()
        try:
            report = await service.poll_once()
            delivery = await service.deliverer.drain()
        finally:
            for p in platforms:
                await p.stop()
            await service.aclose_clients()
        print(
            f"polled {report.feeds_polled} feeds ({report.feeds_failed} failed, "
            f"{report.not_modified} unchanged), {report.new_items} new items, "
            f"{report.alerts_queued} alerts queued, {delivery.sent} sent; recorded without alerts: "
            f"{report.backfilled} of feeds' first fetch, {report.too_old} older than {config.max_alert_age_hours} h",
            file=sys.stderr,
        )
        return 0

    try:
        return asyncio.run(once())
    finally:
        store.close()


def _platforms(config: Config, store: Store) -> list[Platform]:
    platforms: list[Platform] = []
    if config.telegram.enabled:
        if not config.telegram.token:
            raise ConfigError("Telegram is enabled but TELEGRAM_BOT_TOKEN is not set in the environment.")
        from .platforms.telegram import TelegramPlatform

        platforms.append(TelegramPlatform(config, store))
    if config.matrix.enabled:
        if not (config.matrix.access_token or config.matrix.password):
            raise ConfigError("Matrix is enabled but neither MATRIX_ACCESS_TOKEN nor MATRIX_PASSWORD is set.")
        from .platforms.matrix import MatrixPlatform

        platforms.append(MatrixPlatform(config, store))
    return platforms


def cmd_run(args: argparse.Namespace) -> int:
    from .logs import setup_logging
    from .service import Service

    config = _load(args)
    setup_logging(config.log_format, args.verbose)
    store = Store(config.database)
    try:
        store.lock()
        service = Service(config, store, _platforms(config, store))
        asyncio.run(service.run())
    except (AlreadyRunning, StartError) as exc:
        print(f"releasewatch: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from .alerts import render_status
    from .feedhealth import feeds_health

    config = _load(args)
    if not config.database.exists():
        print(f"No database at {config.database} yet: run 'releasewatch poll --once' first.", file=sys.stderr)
        return 1
    store = Store(config.database)
    try:
        lang = args.lang or config.default_lang
        print(render_status(store.latest_events(args.events), store.latest_tallies(3), lang,
                            running=store.running_counts()).text)
        print()
        for h in feeds_health(store.feeds(active_only=False), store.websub_rows(), datetime.now(UTC)):
            print(_feed_line(h))
        counts = store.outbox_counts()
        print("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty"))
    finally:
        store.close()
    return 0


def _feed_line(h: FeedHealth) -> str:
    """How `status` says a feed is: its health, what it took in, how it is read."""
    from .feeds import MAX_ITEMS_PER_FEED

    f = h.feed
    state = {"failing": f"failing ×{f.error_count}: {f.last_error}", "inactive": "inactive"}.get(h.state, "ok")
    line = f"feed {f.name}: {state}; last success {iso(f.last_ok) or 'never'}; {f.items_seen} items"
    if h.truncated:
        line += f"; holds {f.entries} entries, only the newest {MAX_ITEMS_PER_FEED} are read"
    if f.items_failed:
        line += f"; {f.items_failed} items could not be read (last: {f.last_item_error})"
    line += f"; last new item {iso(f.last_item) or 'never'}"
    if f.quiet:
        line += f"; quiet (nothing new for longer than usual) since {iso(f.quiet_since)}"
    if h.first_fetch == "pending":
        line += "; first fetch pending (what it holds will be recorded without alerts)"
    elif h.first_fetch == "backfilled":
        line += f"; first fetch {iso(f.first_fetch)} took in {f.backfilled} items without alerts"
    if h.reading:
        line += _reading(h)
    return line


def _reading(h: FeedHealth) -> str:
    """How `status` says a feed is read: pushed by its WebSub hub or not and why, priority, next poll."""
    out = ""
    if (push := h.push) is not None:
        dropped = f"{push.unsigned} unsigned and {push.bad_signature} with a bad signature dropped"
        if push.state == "pushing":
            out += f"; pushed by WebSub hub {push.hub} until {iso(push.until)} ({push.pushes} pushes taken in, {dropped})"
        elif push.state == "asked":
            out += f"; WebSub hub {push.hub}: subscription asked for, polled meanwhile"
        else:
            out += f"; WebSub hub {push.hub} not pushing ({push.why}), polled"
    if h.feed.priority:
        out += "; priority (polled every minute)"
    if h.feed.next_attempt:
        out += f"; next poll {iso(h.feed.next_attempt)}"
    return out


def cmd_backup(args: argparse.Namespace) -> int:

    from .platforms.matrix import crypto as matrix_crypto

    with _opened(args) as (config, store):
        try:
            path = store.backup(args.path)
            keys = matrix_crypto.backup(config, path)  # the bot's Matrix device keys, beside it
        except FileExistsError:
            print(f"releasewatch: {args.path} already exists; choose a new file name.", file=sys.stderr)
            return 2
        except (ValueError, OSError) as exc:
            print(f"releasewatch: cannot write the backup: {_reason(exc)}.", file=sys.stderr)
            return 2
    print(f"backup written to {path}" + (f" and {keys} (Matrix crypto store: keep them together)" if keys else ""))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:

    from .platforms.matrix import crypto as matrix_crypto

    config = _load(args)
    try:
        kept = Store.restore(args.path, config.database)
        keys = matrix_crypto.restore(config, args.path)
    except (ValueError, OSError) as exc:
        print(f"releasewatch: cannot restore, nothing was changed: {_reason(exc)}.", file=sys.stderr)
        return 2
    Store(config.database).close()  # runs any migration the backup needs
    print(f"restored {config.database} from {args.path}" + (f" and the Matrix crypto store to {keys}" if keys else "")
          + (f"; the database it replaced is kept at {kept}" if kept else ""))
    return 0


def _reason(exc: BaseException) -> str:
    """An error as one clause: a ValueError's own sentence, an OSError's reason and file."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror.lower()}" + (f" ({exc.filename})" if exc.filename else "")
    return str(exc).rstrip(".")


def cmd_keygen(args: argparse.Namespace) -> int:
    from .vault import Vault

    print(Vault.new_key())
    print("Export it as RELEASEWATCH_KEY for the service; keep a copy offline. Lose it and watched "
          "names cannot be read.", file=sys.stderr)
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from .vault import VaultError, current

    try:
        vault = current()
    except VaultError as exc:
        print(f"releasewatch: {exc}", file=sys.stderr)
        return 2
    if vault is None:
        print("releasewatch: set RELEASEWATCH_KEY (new key) and RELEASEWATCH_OLD_KEYS (old keys) first.",
              file=sys.stderr)
        return 2
    with _opened(args) as (_config, store):
        try:
            n = store.rotate_secrets(vault.rotate)
        except VaultError as exc:
            print(f"releasewatch: {exc}; is the old key in RELEASEWATCH_OLD_KEYS?", file=sys.stderr)
            return 2
    print(f"re-encrypted {n} rows with the new key; RELEASEWATCH_OLD_KEYS can now be removed")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from .charts import chart_png

    with _opened(args) as (config, store):
        data = chart_png(store, args.lang or config.default_lang)
    with open(args.out, "wb") as fh:
        fh.write(data)
    print(f"chart written to {args.out} ({len(data)} bytes)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import export

    with _opened(args) as (_config, store):
        body = export.to_csv(store) if args.format == "csv" else export.to_json(store)
    _write_out(body, args.out)
    return 0


def cmd_corrections(args: argparse.Namespace) -> int:
    """Staff corrections as JSON lines in the label format of the matcher's test sets."""
    from . import export

    with _opened(args) as (_config, store):
        items = export.corrections(store)
    _write_out("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), args.out)
    return 0


def _write_out(body: str, path: str | None) -> None:
    """A report to a file, or to standard output when no file is given."""
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(body)
    else:
        sys.stdout.write(body)


def cmd_feeds(args: argparse.Namespace) -> int:
    from .feeds import FeedError, check_feed_url
    from .opml import OpmlFeed, read_opml, write_opml
    from .redact import display_url

    config = _load(args)
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    try:
        if args.action == "export":
            # the one place a feed's real address leaves the program, secrets included: the list
            # must still work when imported elsewhere (README, "Sources without feeds")
            feeds = [OpmlFeed(f.name, f.url, f.lang) for f in store.feeds()]
            _write_out(write_opml(feeds), args.file)
            return 0
        if not args.file:
            print("releasewatch: give the OPML file to import.", file=sys.stderr)
            return 2
        try:
            with open(args.file, "rb") as fh:
                feeds = read_opml(fh.read())
        except (OSError, ValueError) as exc:
            print(f"releasewatch: cannot import {args.file}: {exc}.", file=sys.stderr)
            return 2
        added = refused = 0
        for f in feeds:
            try:
                check_feed_url(f.url, config.allow_private_feed_urls, resolve=False)
            except FeedError as exc:
                refused += 1
                print(f"skipped {display_url(f.url)}: {exc}", file=sys.stderr)
                continue
            added += store.add_feed(f.name, f.url, f.lang)
        print(f"imported {added} new feeds ({len(feeds) - added - refused} already there, {refused} refused); "
              "what they hold now is recorded without alerts on their first fetch")
        return 0
    finally:
        store.close()


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import main as doctor

    return doctor(args.config)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="releasewatch",
        description="Alerts on releases of Venezuela's political prisoners, from Spanish and English news feeds.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", "-c", default="config.toml", help="TOML config file (default: config.toml)")
        p.add_argument("--verbose", "-v", action="store_true", help="log debug details")

    p = sub.add_parser("run", help="run the service: poll feeds on schedule, deliver alerts, answer commands")
    with_config(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("poll", help="run one poll cycle and deliver what it queued, then exit")
    with_config(p)
    p.add_argument("--once", action="store_true", required=True, help="one cycle, then exit (required)")
    p.add_argument("--console", choices=("es", "en"), help="also print alerts here, in this language")
    p.add_argument("--no-send", dest="send", action="store_false",
                   help="do not deliver to Telegram/Matrix even if enabled")
    p.set_defaults(func=cmd_poll)

    p = sub.add_parser("match", help="classify news items: JSON lines in, one extraction per line out")
    p.add_argument("--jsonl", action="store_true", required=True,
                   help='read {"id","title","summary","lang"?} lines on stdin (required)')
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("replay", help="replay news items through the matcher, events and store: the alerts they "
                       "would have made, then the ledger (delivers nothing)")
    p.add_argument("--jsonl", action="store_true", required=True,
                   help='read {"id","title","summary","lang"?,"published","feed"?,"link"?} lines on stdin (required)')
    p.add_argument("--db", help="fold the items into this database (e.g. the service's, stopped) instead of a "
                   "temporary one: backfills a ledger from an archive without alerting anyone")
    p.add_argument("--review", action="store_true", help="hold revisions for staff as the service does by default "
                   "(numbers not sure, low confidence): each prints {\"item\",\"held\"} instead of an alert")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("demo", help="run the whole pipeline offline on bundled sample feeds")
    p.add_argument("--lang", choices=("es", "en"), default="en", help="language of the alerts (default en)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("status", help="print the release ledger and feed health from the database")
    with_config(p)
    p.add_argument("--lang", choices=("es", "en"), help="language (default: the config's default_lang)")
    p.add_argument("--events", type=int, default=5, help="how many recent events (default 5)")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("backup", help="write a consistent copy of the database (safe while running)")
    with_config(p)
    p.add_argument("path", help="the new backup file")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database with a backup (stop the service first)")
    with_config(p)
    p.add_argument("path", help="a file made by 'releasewatch backup'")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("chart", help="draw prisoners held over time and releases per event as a PNG")
    with_config(p)
    p.add_argument("--out", required=True, help="the PNG file to write")
    p.add_argument("--lang", choices=("es", "en"), help="language of the labels")
    p.set_defaults(func=cmd_chart)

    p = sub.add_parser("export", help="events, sources and tallies as CSV or JSON, for NGO reports")
    with_config(p)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("feeds", help="import or export the feed list as OPML")
    with_config(p)
    p.add_argument("action", choices=("import", "export"))
    p.add_argument("file", nargs="?", help="the OPML file (export: default standard output)")
    p.set_defaults(func=cmd_feeds)

    p = sub.add_parser("corrections", help="what staff made of held items' figures, as labelled test items")
    with_config(p)
    p.add_argument("action", choices=("export",))
    p.add_argument("--out", help="file to write (default: standard output), JSON lines")
    p.set_defaults(func=cmd_corrections)

    p = sub.add_parser("doctor", help="check the config, tokens, feeds, key and file permissions; one line each")
    with_config(p)
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("keygen", help="print a new encryption key for watched names (RELEASEWATCH_KEY)")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("rotate-key", help="re-encrypt stored names with RELEASEWATCH_KEY "
                       "(old keys in RELEASEWATCH_OLD_KEYS)")
    with_config(p)
    p.set_defaults(func=cmd_rotate_key)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        from .redact import redact

        print(f"releasewatch: {redact(str(exc))}", file=sys.stderr)  # a feed URL may carry a password
        return 2
    except sqlite3.DatabaseError as exc:
        # a garbage, damaged or read-only file, a full disk: one sentence, never a traceback
        print(f"releasewatch: the database cannot be used ({exc}); check that the file is a ReleaseWatch database "
              "this user may write, in a folder it may write, on a disk with room (`releasewatch doctor` checks "
              "all of it).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `releasewatch replay … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
