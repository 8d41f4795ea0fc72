"""'Sent' marks written together (bot/outbox.py, _SentMarks) keep the promise a commit per message
kept: a chat's next message goes out only once its last one is marked, no more sends are unmarked
than the Deliverer's concurrency (what a kill -9 can duplicate), and a delivery cancelled while its
marks wait still writes them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot import outbox
from bot.alerts import Message
from bot.outbox import Deliverer
from bot.store import Store

CONCURRENCY = 8


class Watcher:
    """A console-like chat platform that, at every send, reads the outbox as a crash would find it."""

    platform = "console"

    def __init__(self, store: Store) -> None:
        self.store = store
        self.returned: list[tuple[str, str]] = []  # (chat, text) of every send that returned
        self.unmarked_at_send: list[int] = []
        self.earlier_unmarked: list[tuple[str, str]] = []

    def _status(self, chat: str, text: str) -> str:
        row = self.store.db.execute(
            "SELECT o.status FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id "
            "WHERE s.chat_id = ? AND o.payload LIKE ?", [chat, f'%"{text}"%']).fetchone()
        return str(row[0])

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        unmarked = [(c, t) for c, t in self.returned if self._status(c, t) != "sent"]
        self.unmarked_at_send.append(len(unmarked))
        self.earlier_unmarked += [(c, t) for c, t in unmarked if c == chat_id]
        await asyncio.sleep(0)  # let other chats' sends interleave, as a network would
        self.returned.append((chat_id, message.text))
        return str(len(self.returned))


def _queue(db: Path, chats: int, per_chat: int) -> Store:
    store = Store(db)
    with store.transaction():
        for i in range(chats):
            sub = store.subscribe("console", f"c{i}", "es")
            for n in range(per_chat):
                store.enqueue(sub.id, f"bc:{n}", "text", {"text": f"m{n}"})
    return store


async def test_a_chats_next_message_waits_for_the_mark_and_unmarked_sends_stay_within_concurrency(tmp_path):
    store = _queue(tmp_path / "rw.db", chats=60, per_chat=3)
    platform = Watcher(store)
    report = await Deliverer(store, {"console": platform}, concurrency=CONCURRENCY, batch=50).drain()
    assert report.sent == len(platform.returned) == 180
    assert store.outbox_counts() == {"sent": 180}
    assert platform.earlier_unmarked == []  # no chat's message went out before its previous one was marked
    # at any send, the sends already returned but not yet marked hold the other places
    assert max(platform.unmarked_at_send) <= CONCURRENCY - 1
    assert max(platform.unmarked_at_send) > 0  # and marks were indeed shared between sends
    store.close()


async def test_marks_waiting_when_delivery_is_cancelled_are_written_before_it_ends(tmp_path, monkeypatch):
    # marks wait for the window or for every place to be taken: neither comes here, only the cancel
    monkeypatch.setattr(outbox, "MARK_WINDOW", 3600.0)
    store = _queue(tmp_path / "rw.db", chats=40, per_chat=1)
    platform = Watcher(store)
    drain = asyncio.ensure_future(Deliverer(store, {"console": platform}, concurrency=100).drain())
    while len(platform.returned) < 10:
        await asyncio.sleep(0)
    assert store.outbox_counts() == {"claimed": 40}  # sends have returned and wait for their marks
    drain.cancel()
    try:
        await drain
    except asyncio.CancelledError:
        pass
    counts = store.outbox_counts()
    # every send that returned is marked; the rest stays claimed for the next start to reclaim
    assert counts["sent"] == len(platform.returned) >= 10
    assert counts["sent"] + counts.get("claimed", 0) == 40
    assert store.reclaim() == counts.get("claimed", 0)
    store.close()
