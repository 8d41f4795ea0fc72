"""Every chat command and button, declared once: name, aliases, who may run it, its arguments, its
help and usage texts, and the function that does it. Telegram and Matrix both route from here, so
access rules cannot drift between them. Never imports a chat platform's library.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ..alerts import Message
from ..i18n import LANGS, t
from . import actions as act
from . import keyboards
from .args import BadArgs, parse_id, parse_index, words

if TYPE_CHECKING:
    from ..store import CommandStore
    from ..vault import Vault


class Access(Enum):
    """Who may run a command. Staff (configured user ids) also count as managers of any chat."""

    ANYONE = "anyone"
    MANAGER = "manager"  # manages this chat: Telegram group admin or owner, Matrix power level 50+; any private chat
    STAFF = "staff"
    PRIVATE = "private"  # a private chat with the bot (Matrix: a room of the bot and one person)


# what the refused hear, per rule
REFUSAL = {Access.MANAGER: "group.admins_only", Access.STAFF: "staff.refused", Access.PRIVATE: "watch.private_only"}


def allowed(access: Access, *, staff: bool, private: bool, manages: bool) -> bool:
    """The registry's access decision, given what the platform adapter found out about the sender."""
    if access is Access.ANYONE:
        return True
    if access is Access.PRIVATE:
        return private
    if access is Access.STAFF:
        return staff
    return staff or manages


async def _nobody_manages() -> bool:
    return False


@dataclass(frozen=True)
class Request:
    """A command or a button press, as the adapter translated it."""

    chat: act.Chat
    user: str  # who typed or pressed it (the per-user rate limit)
    args: str = ""  # what follows the command's name, or the button's value
    private: bool = False
    staff: bool = False
    who: str = "?"  # how a staff decision names them: "@ana", "@ana:ngo.example"
    prefix: str = "/"  # how the platform's users type commands
    buttons: bool = False  # the platform draws keyboards
    files: bool = False  # the platform can send a file
    manages: Callable[[], Awaitable[bool]] = _nobody_manages  # asked only when a rule needs it (an API call)

    @property
    def lang(self) -> str:
        return self.chat.lang


@dataclass(frozen=True)
class Reply:
    """One message to send back: text, maybe buttons (rows of (label, data)), maybe a file."""

    message: Message
    keyboard: keyboards.Keyboard = ()
    file: bytes | None = None  # the message's text is then the caption
    filename: str = ""
    image: bool = False


@dataclass
class Deps:
    """What commands act on, handed over by the platform that owns them."""

    store: CommandStore
    vault: Vault | None
    allow_private_feed_urls: bool
    request_timeout: float
    wake: Callable[[], None]  # the delivery loop: something was queued


Result = Message | Reply | Sequence[Message | Reply]
Handler = Callable[[Deps, Request], Result | Awaitable[Result]]


@dataclass(frozen=True)
class Command:
    name: str
    run: Handler
    access: Access = Access.ANYONE
    aliases: tuple[str, ...] = ()
    args: str = ""  # what may follow the name, as a user would type it
    help: str = ""  # catalog key of a one-line description
    usage: str | None = None  # catalog key answered when the arguments cannot be read (BadArgs)
    menu: bool = False  # listed in Telegram's command menu
    wakes: bool = False  # may queue messages: wake the delivery loop after it ran
    secret: bool = False  # the arguments are private (a name): the adapter deletes the request first
    files: bool = False  # answers with a file; a platform that cannot send files says so instead

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Button:
    """A kind of inline button: its callback data is "kind:value"."""

    kind: str
    run: Handler
    access: Access = Access.ANYONE
    wakes: bool = False
    invalid: str = "button.invalid"  # catalog key when the value cannot be read (a forged or stale button)


# -- the functions that do them: read arguments, call bot.commands.actions -------------------------


def _start(d: Deps, r: Request) -> Result:
    if r.buttons:
        return Reply(act.welcome(r.lang), keyboards.languages())
    return act.help_text(r.lang, r.prefix, r.staff)  # without buttons, the command list is the welcome


def _help(d: Deps, r: Request) -> Result:
    return act.help_text(r.lang, r.prefix, r.staff)


def _language(d: Deps, r: Request) -> Result:
    if r.buttons:
        return Reply(act.plain(t(r.lang, "lang.choose")), keyboards.languages())
    choice = (words(r.args) or [""])[0].lower()
    if choice not in LANGS:
        raise BadArgs(choice)
    return act.set_language(d.store, r.chat, choice)


def _subscribe(d: Deps, r: Request) -> Result:
    if r.buttons:
        return Reply(act.plain(t(r.lang, "subscribe.choose")), keyboards.filters(r.lang))
    args = words(r.args)
    filter = args.pop(0).lower() if args and args[0].lower() in act.FILTERS else "all"
    return act.subscribe(d.store, r.chat, filter, act.prison_named(" ".join(args)) if args else None)


def _forget(d: Deps, r: Request) -> Result:
    if r.buttons:
        return Reply(act.plain(t(r.lang, "forget.confirm")), keyboards.forget(r.lang))
    if [a.lower() for a in words(r.args)[:1]] == ["confirm"]:
        return act.forget(d.store, r.chat)
    return act.plain(t(r.lang, "matrix.forget_confirm"))


def _watch(d: Deps, r: Request) -> Result:
    if not r.args:
        raise BadArgs("no name")
    return act.watch_add(d.store, d.vault, r.chat, r.args, r.private)


def _broadcast(d: Deps, r: Request) -> Result:
    if not r.args:
        raise BadArgs("no text")
    return act.plain(t(r.lang, "broadcast.queued", count=act.broadcast(d.store, r.args)))


async def _chart(d: Deps, r: Request) -> Result:
    from ..charts import chart_file

    # drawn in a worker thread through its own read-only connection: delivery goes on meanwhile
    data = await asyncio.to_thread(chart_file, d.store.path, r.lang)
    return Reply(act.plain(t(r.lang, "chart.caption")), file=data, filename="chart.png", image=True)


async def _export(d: Deps, r: Request) -> Result:
    from .. import export

    fmt = (r.args or "csv").lower()
    if fmt not in ("csv", "json"):
        raise BadArgs(fmt)
    # like the chart: a large ledger is read in a worker thread, never on the event loop
    body = await asyncio.to_thread(export.export_file, d.store.path, fmt)
    return Reply(act.plain(t(r.lang, "export.caption")), file=body.encode("utf-8"), filename=f"releasewatch.{fmt}")


async def _addfeed(d: Deps, r: Request) -> Result:
    return await act.add_feed(d.store, d.allow_private_feed_urls, d.request_timeout, r.args, r.lang)


A = Access
COMMANDS: tuple[Command, ...] = (
    # families and NGO groups; the first thirteen make Telegram's command menu, in this order
    Command("start", _start, help="cmd.start", menu=True),
    Command("help", _help, aliases=("ayuda",), help="cmd.help", menu=True),
    Command("language", _language, A.MANAGER, aliases=("idioma",), args="es|en", help="cmd.language",
            usage="usage.language", menu=True),
    Command("subscribe", _subscribe, A.MANAGER, args="[all|confirmations] [prison]", help="cmd.subscribe",
            menu=True, wakes=True),
    Command("unsubscribe", lambda d, r: act.unsubscribe(d.store, r.chat), A.MANAGER, help="cmd.unsubscribe", menu=True),
    Command("status", lambda d, r: act.status(d.store, r.lang, staff=r.staff), help="cmd.status", menu=True),
    Command("latest", lambda d, r: act.latest(d.store, r.lang), help="cmd.latest", menu=True),
    Command("sources", lambda d, r: act.sources(d.store, r.lang), help="cmd.sources", menu=True),
    Command("watch", _watch, A.PRIVATE, args="FULL NAME", help="cmd.watch", usage="usage.watch", menu=True,
            secret=True),
    Command("watches", lambda d, r: act.watch_list(d.store, d.vault, r.chat), A.PRIVATE, help="cmd.watches", menu=True),
    Command("unwatch", lambda d, r: act.watch_remove(d.store, r.chat, r.args), A.PRIVATE, args="NUMBER",
            help="cmd.unwatch", usage="usage.unwatch", menu=True),
    Command("notes", lambda d, r: act.notes(d.store, r.chat, r.args.lower()), A.MANAGER, args="on|off",
            help="cmd.notes", usage="usage.notes", menu=True),
    Command("forget", _forget, A.MANAGER, args="[confirm]", help="cmd.forget", menu=True),
    # NGO staff
    Command("feeds", lambda d, r: act.feeds_report(d.store, r.lang), A.STAFF, help="cmd.feeds"),
    Command("stats", lambda d, r: act.stats(d.store, r.lang), A.STAFF, help="cmd.stats"),
    Command("broadcast", _broadcast, A.STAFF, args="TEXT", help="cmd.broadcast", usage="usage.broadcast", wakes=True),
    Command("queue", lambda d, r: act.queue(d.store, r.lang), A.STAFF, help="cmd.queue"),
    Command("approve", lambda d, r: act.approve_or_reject(d.store, r.args, True, r.who, r.lang), A.STAFF,
            args="EVENT", help="cmd.approve", usage="usage.approve", wakes=True),
    Command("reject", lambda d, r: act.approve_or_reject(d.store, r.args, False, r.who, r.lang), A.STAFF,
            args="EVENT [reason]", help="cmd.reject", usage="usage.reject", wakes=True),
    Command("edit", lambda d, r: act.edit_numbers(d.store, r.args, r.who, r.lang), A.STAFF,
            args="EVENT announced=N confirmed=N", help="cmd.edit", usage="usage.edit", wakes=True),
    Command("record", lambda d, r: act.record_figure(d.store, r.args, r.who, r.lang), A.STAFF,
            args='confirmed|announced N source="…" event=EVENT', help="cmd.record", usage="usage.record", wakes=True),
    Command("figure", lambda d, r: act.figure_fix(d.store, r.args, r.who, r.lang), A.STAFF,
            args="EVENT N ok|not|role=…|value=…|by=…", help="cmd.figure", usage="figure.usage"),
    Command("event", lambda d, r: act.event_history(d.store, r.args, r.lang), A.STAFF, args="EVENT", help="cmd.event",
            usage="usage.event"),
    Command("chart", _chart, A.STAFF, help="cmd.chart", files=True),
    Command("export", _export, A.STAFF, args="[csv|json]", help="cmd.export", usage="usage.export", files=True),
    Command("addfeed", _addfeed, A.STAFF, args="URL [es|en]", help="cmd.addfeed", usage="usage.addfeed"),
    Command("removefeed", lambda d, r: act.remove_feed(d.store, r.args, r.lang), A.STAFF, args="NUMBER|URL",
            help="cmd.removefeed", usage="usage.removefeed"),
)


# -- buttons: what the keyboards above send back ------------------------------------------------------


def _lang_button(d: Deps, r: Request) -> Result:
    if r.args not in LANGS:
        raise BadArgs(r.args)
    return act.set_language(d.store, r.chat, r.args) + act.help_text(r.args)


def _sub_button(d: Deps, r: Request) -> Result:
    if r.args in act.FILTERS:
        return act.subscribe(d.store, r.chat, r.args)
    if r.args == "prison":
        return Reply(act.plain(t(r.lang, "subscribe.choose_prison")), keyboards.prison_choices())
    raise BadArgs(r.args)


def _prison_button(d: Deps, r: Request) -> Result:
    index = parse_index(r.args, len(act.prisons()))
    prison = act.prisons()[index]
    return Reply(act.plain(t(r.lang, "subscribe.choose_filter_for_prison", prison=prison)),
                 keyboards.filters(r.lang, prison=index))


def _prison_filter_button(d: Deps, r: Request) -> Result:
    index, _, filter = r.args.partition(":")
    if filter not in act.FILTERS:
        raise BadArgs(filter)
    return act.subscribe(d.store, r.chat, filter, act.prisons()[parse_index(index, len(act.prisons()))])


def _forget_button(d: Deps, r: Request) -> Result:
    return act.forget(d.store, r.chat) if r.args == "yes" else act.plain(t(r.lang, "forget.kept"))


def _review_button(d: Deps, r: Request) -> Result:
    """Approve / Reject / Edit on a held alert posted to the staff chat: "a:EVENT:REVISION"."""
    action, _, rest = r.args.partition(":")
    event, _, revision = rest.partition(":")
    if action not in ("a", "r", "e"):
        raise BadArgs(action)
    event_id, revision_no = parse_id(event), parse_id(revision)
    if action == "e":
        ev = d.store.event(event_id)
        return act.plain(t(r.lang, "review.edit_hint", event=event_id, announced=ev.announced if ev else 0,
                           confirmed=ev.confirmed if ev else 0))
    return act.decide(d.store, event_id, revision_no, action == "a", r.who, r.lang)


BUTTONS: tuple[Button, ...] = (
    Button("lang", _lang_button, A.MANAGER),
    Button("sub", _sub_button, A.MANAGER, wakes=True),
    Button("prison", _prison_button),  # only shows the next choice
    Button("pf", _prison_filter_button, A.MANAGER, wakes=True),
    Button("forget", _forget_button, A.MANAGER),
    Button("rv", _review_button, A.STAFF, wakes=True, invalid="review.missing"),
)

_BY_NAME = {name: c for c in COMMANDS for name in c.names}
_BY_KIND = {b.kind: b for b in BUTTONS}


def command_named(name: str) -> Command | None:
    return _BY_NAME.get(name.lower())


def button_kind(kind: str) -> Button | None:
    return _BY_KIND.get(kind)
