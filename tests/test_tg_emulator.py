"""The Telegram Bot API emulator, exercised with the real python-telegram-bot and plain httpx."""

from __future__ import annotations

import contextlib
import datetime as dtm
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from loopback.tg_emulator import BotApiEmulator, EntityParseError, parse_html, utf16_len

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

USER = 4242
GROUP = -1001234567890


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    e = BotApiEmulator()
    e.start()
    try:
        yield e
    finally:
        e.stop()


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    b = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    await b.initialize()
    try:
        yield b
    finally:
        await b.shutdown()


@contextlib.asynccontextmanager
async def running_app(emu: BotApiEmulator, *handlers) -> AsyncIterator[Application]:
    app = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    for h in handlers:
        app.add_handler(h)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        with contextlib.suppress(Exception):
            await app.updater.stop()
        with contextlib.suppress(Exception):
            await app.stop()
        await app.shutdown()


def seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------ real PTB Application


async def test_application_receives_start_and_replies(emu: BotApiEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            f"Hola <b>{update.effective_user.first_name}</b>", parse_mode=ParseMode.HTML
        )

    async with running_app(emu, CommandHandler("start", start)):
        assert emu.count_requests["getMe"] == 1
        emu.inject_message(USER, "/start")
        sent = await emu.await_for(chat_id=USER, timeout=3)
        assert sent["method"] == "sendMessage"
        assert sent["text"] == "Hola Ana"  # what the user sees
        assert sent["raw_text"] == "Hola <b>Ana</b>"  # what the bot sent
        assert sent["entities"] == [{"type": "bold", "offset": 5, "length": 3}]
        assert sent["parse_mode"] == "HTML"
        assert sent["reply_to_message_id"] is None  # reply_text doesn't quote by default

        # "/start@botname" in a group is a command too; messages ids grow per chat
        since = emu.sent_count
        emu.inject_message(
            GROUP,
            "/start@releasewatch_test_bot",
            chat_type="supergroup",
            user_id=77,
            first_name="Luis",
            title="Familias",
        )
        group_msg = await emu.await_for(chat_id=GROUP, since=since, timeout=3)
        assert group_msg["text"] == "Hola Luis"
        assert group_msg["message_id"] == 2  # 1 was the user's command
        await emu.await_until(lambda: emu.pending_updates == 0, timeout=3)


async def test_callback_query_is_delivered_and_answered(emu: BotApiEmulator) -> None:
    pressed: list[str] = []

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        pressed.append(q.data)
        assert q.message is not None and q.message.message_id == msg.message_id
        await q.answer(text="¡Listo!")
        await q.edit_message_text("Suscrito ✅")

    async with running_app(emu, CallbackQueryHandler(on_button)) as app:
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("Suscribir", callback_data="sub:ve")]])
        msg = await app.bot.send_message(USER, "¿Suscribirse?", reply_markup=kb)
        assert msg.reply_markup == kb
        assert emu.sent[-1]["reply_markup"] == {
            "inline_keyboard": [[{"text": "Suscribir", "callback_data": "sub:ve"}]]
        }
        update_id = emu.inject_callback(USER, msg.message_id, "sub:ve")
        answer = await emu.await_callback_answer(update_id, timeout=3)
        assert answer["text"] == "¡Listo!" and answer["data"] == "sub:ve"
        await emu.await_until(lambda: emu.edits, timeout=3)
        assert pressed == ["sub:ve"]
        assert emu.edits[-1]["text"] == "Suscrito ✅"
        assert emu.chat_message(USER, msg.message_id)["text"] == "Suscrito ✅"
        # the same query can't be answered twice
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await app.bot.answer_callback_query(answer["callback_query_id"])


async def test_migration_and_my_chat_member_updates(emu: BotApiEmulator) -> None:
    migrations: list[tuple[int, int]] = []
    member_updates: list[tuple[int, str]] = []

    async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        m = update.effective_message
        if m.migrate_to_chat_id:
            migrations.append((m.chat_id, m.migrate_to_chat_id))

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        cmu = update.my_chat_member
        member_updates.append((cmu.chat.id, cmu.new_chat_member.status))

    async with running_app(
        emu,
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
        ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER),
    ) as app:
        emu.inject_migration(-555, GROUP)
        emu.inject_my_chat_member(-1009876, chat_type="channel", title="Alertas")
        await emu.await_until(lambda: migrations and member_updates, timeout=3)
        assert migrations == [(-555, GROUP)]
        assert member_updates == [(-1009876, "administrator")]
        with pytest.raises(ChatMigrated) as exc:
            await app.bot.send_message(-555, "hola")
        assert exc.value.new_chat_id == GROUP
        me = await app.bot.get_chat_member(-1009876, app.bot.id)
        assert me.status == "administrator" and me.can_post_messages


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 < 2", 'unsupported start tag ""'),
        ("Tom & Jerry", "&amp;"),
        ("<b>bold", "can't find end tag"),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("<div>x</div>", 'unsupported start tag "div"'),
        ("x</b>", "unexpected end tag"),
        ('<span class="x">y</span>', "tg-spoiler"),
    ],
)
async def test_bad_html_is_rejected(bot: Bot, emu: BotApiEmulator, text: str, fragment: str):
    with pytest.raises(BadRequest) as exc:
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert "can't parse entities" in exc.value.message.lower()
    assert fragment.lower() in exc.value.message.lower()
    assert emu.sent == []


async def test_good_html_and_length_counting(bot: Bot, emu: BotApiEmulator) -> None:
    emu.disable_rate_limits()
    html = (
        "<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins><s>g</s><strike>h</strike>"
        '<del>i</del><a href="https://x.org/?a=1&amp;b=2">j</a><code>k</code>'
        '<pre><code class="language-python">l</code></pre><span class="tg-spoiler">m</span>'
        "<tg-spoiler>n</tg-spoiler><blockquote expandable>o</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#65;&#x42;'
    )
    m = await bot.send_message(USER, html, parse_mode=ParseMode.HTML)
    assert m.text == 'abcdefghijklmno👍 <>&"AB'
    types = [e.type for e in m.entities]
    assert "text_link" in types and "expandable_blockquote" in types and "pre" in types
    assert m.entities[types.index("text_link")].url == "https://x.org/?a=1&b=2"
    assert m.entities[types.index("pre")].language == "python"

    # tags don't count toward the 4096 limit; UTF-16 code units do
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(USER, "😀" * 2048)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "😀" * 2049)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "&amp;" * 4097, parse_mode=ParseMode.HTML)


async def test_message_too_long_and_empty(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "x" * 5000)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, "<b></b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await bot.send_photo(USER, b"\x89PNG....", caption="c" * 1025)
    assert emu.sent == []


async def test_reply_to_missing_message(bot: Bot, emu: BotApiEmulator) -> None:
    emu.per_chat_rate = None
    first = await bot.send_message(USER, "uno")
    reply = await bot.send_message(USER, "dos", reply_parameters=ReplyParameters(first.message_id))
    assert reply.reply_to_message.message_id == first.message_id
    assert emu.sent[-1]["reply_to_message_id"] == first.message_id
    assert reply.message_id == first.message_id + 1
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(USER, "tres", reply_to_message_id=999)
    ok = await bot.send_message(
        USER, "tres", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert ok.reply_to_message is None


async def test_photo_document_and_commands(bot: Bot, emu: BotApiEmulator) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    p = await bot.send_photo(USER, png, caption="<i>foto</i>", parse_mode=ParseMode.HTML)
    assert p.caption == "foto" and p.photo
    d = await bot.send_document(USER, b"a,b\n1,2\n", filename="lista.csv", caption="lista")
    assert d.document.file_name == "lista.csv"
    photo, doc = emu.sent[-2:]
    assert photo["method"] == "sendPhoto" and photo["photo_bytes"] == len(png)
    assert doc["document_bytes"] == 8 and doc["document_name"] == "lista.csv"
    f = await bot.get_file(p.photo[-1].file_id)
    assert bytes(await f.download_as_bytearray()) == png

    await bot.set_my_commands([BotCommand("start", "Empezar"), BotCommand("help", "Ayuda")])
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    assert [c["command"] for c in emu.commands[("default", "")]] == ["start", "help"]
    assert emu.commands[("all_private_chats", "en")] == [
        {"command": "start", "description": "Start"}
    ]
    got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="en")
    assert got == (BotCommand("start", "Start"),)


async def test_admin_checks_and_get_chat(bot: Bot, emu: BotApiEmulator) -> None:
    emu.add_chat(GROUP, "supergroup", title="Familias")
    emu.set_admins(GROUP, [77], owner_id=1)
    assert (await bot.get_chat_member(GROUP, 77)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 1)).status == "creator"
    assert (await bot.get_chat_member(GROUP, 78)).status == "member"
    admins = await bot.get_chat_administrators(GROUP)
    assert {a.user.id for a in admins} == {1, 77}
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Familias" and chat.type == "supergroup"
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden, match="(?i)not a member"):
        await bot.send_message(GROUP, "hola")


# ------------------------------------------------------------------ rate limits


async def test_per_chat_rate_limit(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(USER, "1")
    await bot.send_message(USER, "2")  # burst of 1 on top of the 1 msg/s
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(USER, "3")
    assert seconds(exc.value.retry_after) >= 1
    assert emu.count_429 == 1
    await bot.send_message(USER + 1, "other chat is fine")
    emu.per_chat_rate = None
    await bot.send_message(USER, "unlimited now")
    assert len(emu.messages_for(USER)) == 3


async def test_group_and_global_rate_limits(bot: Bot, emu: BotApiEmulator) -> None:
    emu.set_rate_limits(group_per_minute=3)
    for i in range(3):
        await bot.send_message(GROUP, f"g{i}")
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(GROUP, "g3")
    assert 55 <= seconds(exc.value.retry_after) <= 60

    emu.set_rate_limits(global_rate=2.0, per_chat_rate=None, group_per_minute=None)
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(3, "c")
    assert emu.count_429 == 2
    emu.reset_counters()
    assert emu.count_429 == 0 and not emu.count_requests


async def test_paid_broadcasts_have_their_own_limit(bot: Bot, emu: BotApiEmulator) -> None:
    """allow_paid_broadcast lifts the free limit (30/s) to the paid one (up to 1000/s)."""
    emu.set_rate_limits(global_rate=2.0, paid_rate=4.0, per_chat_rate=None, group_per_minute=None)
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(3, "c")
    for chat in range(10, 14):
        await bot.send_message(chat, "paid", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):
        await bot.send_message(14, "paid", allow_paid_broadcast=True)
    assert emu.count_paid == 4 and emu.count_429 == 2


# ------------------------------------------------------------------ faults


async def test_fault_injection(bot: Bot, emu: BotApiEmulator) -> None:
    emu.block(USER)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(USER, "hola")
    emu.unblock(USER)
    await bot.send_message(USER, "hola")

    emu.add_chat(-42, "group")
    emu.kick(-42)
    with pytest.raises(Forbidden, match="(?i)bot was kicked from the group chat"):
        await bot.send_message(-42, "hola")

    emu.unknown_chat(99)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(99, "hola")

    emu.migrate(-43, GROUP)
    with pytest.raises(ChatMigrated) as exc:
        await bot.send_message(-43, "hola")
    assert exc.value.new_chat_id == GROUP

    emu.fail_ratio = 1.0
    with pytest.raises(NetworkError, match="(?i)internal server error"):
        await bot.send_message(USER + 1, "x")
    emu.fail_ratio = 0.0
    emu.drop_ratio = 1.0
    with pytest.raises(NetworkError):
        await bot.send_message(USER + 1, "x")
    emu.drop_ratio = 0.0
    await bot.send_message(USER + 1, "back to normal")
    assert [m["text"] for m in emu.sent] == ["hola", "back to normal"]


# ------------------------------------------------------------------ raw HTTP


def test_raw_http_errors_and_formats(emu: BotApiEmulator) -> None:
    with httpx.Client(base_url=emu.url, timeout=5) as c:
        r = c.post("/bot999:WRONG/getMe")
        assert r.status_code == 401
        assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        r = c.post(f"/bot{emu.token}/noSuchMethod")
        assert r.status_code == 404
        assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        assert c.get("/elsewhere").status_code == 404

        me = c.get(f"/bot{emu.token}/getMe").json()["result"]
        assert me["is_bot"] and me["id"] == 123456 and me["can_join_groups"] is True
        emu.per_chat_rate = None
        r = c.post(f"/bot{emu.token}/sendMessage", json={"chat_id": 5, "text": "json"})
        assert r.json()["result"]["text"] == "json"
        r = c.post(f"/bot{emu.token}/sendmessage", data={"chat_id": "5", "text": "form"})
        assert r.json()["result"]["message_id"] == 2
        r = c.get(f"/bot{emu.token}/sendMessage", params={"chat_id": 5, "text": "query"})
        assert r.json()["result"]["message_id"] == 3
        r = c.post(f"/bot{emu.token}/sendMessage", json={"chat_id": 5, "text": "x" * 5000})
        assert r.status_code == 400
        assert r.json()["description"] == "Bad Request: message is too long"

        emu.set_rate_limits(per_chat_rate=1.0, per_chat_burst=0)
        c.post(f"/bot{emu.token}/sendMessage", json={"chat_id": 6, "text": "a"})
        r = c.post(f"/bot{emu.token}/sendMessage", json={"chat_id": 6, "text": "b"})
        assert r.status_code == 429
        body = r.json()
        assert body["parameters"]["retry_after"] >= 1
        assert (
            body["description"]
            == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
        )

        c.post(f"/bot{emu.token}/setWebhook", data={"url": "https://example.org/hook"})
        assert emu.webhook["url"] == "https://example.org/hook"
        assert c.post(f"/bot{emu.token}/getUpdates").status_code == 409
        assert c.post(f"/bot{emu.token}/deleteWebhook").json()["result"] is True
        assert c.post(f"/bot{emu.token}/close").json() == {"ok": True, "result": True}
    assert emu.count_requests["sendMessage"] == 6


def test_long_poll_returns_early_and_confirms(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{emu.token}/getUpdates"
    with httpx.Client(timeout=10) as c:
        t0 = time.monotonic()
        assert c.post(url, json={"timeout": 0.3}).json()["result"] == []
        assert 0.25 <= time.monotonic() - t0 < 1.5

        def later() -> None:
            time.sleep(0.2)
            emu.inject_message(USER, "hola")

        import threading

        threading.Thread(target=later).start()
        t0 = time.monotonic()
        updates = c.post(url, json={"timeout": 5}).json()["result"]
        assert time.monotonic() - t0 < 2
        assert [u["message"]["text"] for u in updates] == ["hola"]
        uid = updates[0]["update_id"]
        # not confirmed yet: returned again; confirmed by offset
        assert len(c.post(url, json={"timeout": 0}).json()["result"]) == 1
        assert c.post(url, json={"offset": uid + 1, "timeout": 0}).json()["result"] == []
        assert emu.pending_updates == 0


def test_updates_are_bounded() -> None:
    with BotApiEmulator(max_updates=5) as e:
        for i in range(20):
            e.inject_message(USER, f"m{i}")
        assert e.pending_updates == 5


async def test_wait_for_times_out(emu: BotApiEmulator) -> None:
    with pytest.raises(TimeoutError):
        await emu.await_for(chat_id=1, timeout=0.1)
    with pytest.raises(TimeoutError):
        emu.wait_for(lambda m: False, timeout=0.1)


def test_only_loopback() -> None:
    with pytest.raises(ValueError):
        BotApiEmulator(host="0.0.0.0")
    e = BotApiEmulator().start()
    try:
        assert e.url.startswith("http://127.0.0.1:")
        assert e.base_url == e.url + "/bot" and e.base_file_url == e.url + "/file/bot"
    finally:
        e.stop()
    e.stop()  # idempotent


# ------------------------------------------------------------------ the HTML parser itself


def test_parse_html_unit() -> None:
    assert parse_html("a &lt;b&gt; &#128512;") == ("a <b> 😀", [])
    text, ents = parse_html("😀<b>x</b>")
    assert ents == [{"type": "bold", "offset": 2, "length": 1}]
    assert utf16_len(text) == 3
    with pytest.raises(EntityParseError, match="byte offset 2"):
        parse_html("é<x>")  # é is two bytes in UTF-8
    assert parse_html("Tom & Jerry", strict_ampersand=False)[0] == "Tom & Jerry"
    with pytest.raises(EntityParseError):
        parse_html("&nbsp;")
    assert parse_html("a > b")[0] == "a > b"
