"""Matrix's outbox notifier: alerts as m.notice messages (plain body + HTML, no mentions), replies to
an earlier alert, command answers with "!" commands, files through uploads.py; in plain and encrypted
rooms alike (nio encrypts). Homeserver refusals in bot.notify's words (connection.fail).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import replace
from typing import Any

from nio import AsyncClient, RoomSendResponse

from ... import commands as cmd
from ...alerts import Message
from ...notify import Transient
from .commands import PLATFORM
from .connection import REQUEST_TIMEOUT, fail
from .uploads import file_event

# Catalog texts name commands the Telegram way ("/subscribe to come back"); in a room they are
# typed with "!". Only these words, only after a space or a line start: links stay untouched.
_SLASH_COMMAND = re.compile(
    r"(?<![\w/:.\"'=])/(?=(?:" + "|".join(c.name for c in cmd.COMMANDS) + r")\b)")


def _html(markup: str) -> str:
    return markup.replace("\n", "<br>\n")


def _content(message: Message, reply_to: str | None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": message.text,
        "format": "org.matrix.custom.html",
        "formatted_body": _html(message.html),
        # intentional mentions, empty: a feed title saying "@room" must not ping the whole room
        "m.mentions": {},
    }
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def _bang(message: Message) -> Message:
    """A command reply as Matrix users type commands: "/subscribe" becomes "!subscribe"."""
    return replace(message, text=_SLASH_COMMAND.sub("!", message.text),
                   html=_SLASH_COMMAND.sub("!", message.html))


def _txn_id(room_id: str, content: dict[str, Any]) -> str:
    """The same alert to the same room gets the same transaction id: if a send timed out after the
    homeserver stored it, the outbox's retry is deduplicated by the server, not posted twice."""
    raw = json.dumps([room_id, content], sort_keys=True, ensure_ascii=False).encode()
    return "rw-" + hashlib.sha256(raw).hexdigest()[:40]


class MatrixNotifier:
    """Sends m.notice messages; translates Matrix errors into bot.notify's vocabulary."""

    platform = PLATFORM

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        """An outbox message (alert, update, broadcast): idempotent per room and content."""
        content = _content(message, reply_to)
        return await self._send(chat_id, content, _txn_id(chat_id, content))

    async def reply(self, chat_id: str, message: Message) -> str | None:
        """A command's answer: asking twice must answer twice, so a fresh transaction id."""
        return await self._send(chat_id, _content(_bang(message), None), None)

    async def reply_file(self, chat_id: str, message: Message, data: bytes, filename: str,
                         image: bool = False) -> str | None:
        """A command's file (chart, export): uploaded to the homeserver's media repository (uploads.py),
        then posted with the message as caption."""
        content = await file_event(self.client, chat_id, _bang(message), data, filename, image)
        return await self._send(chat_id, content, None)

    async def _send(self, room_id: str, content: dict[str, Any], txn_id: str | None) -> str | None:
        try:
            # in an encrypted room nio first fetches the members' device keys and shares the room
            # key (crypto.py decides with which devices): a few requests, one deadline
            resp = await asyncio.wait_for(
                self.client.room_send(room_id, "m.room.message", content, tx_id=txn_id,
                                      ignore_unverified_devices=True),
                timeout=REQUEST_TIMEOUT * 2,
            )
        except TimeoutError as exc:
            # nio marks a room "sharing keys" before its first await and clears the mark only on
            # its way out: a cancelled share would leave every later send to the room waiting on it
            stuck = getattr(self.client, "sharing_session", {}).pop(room_id, None)
            if stuck is not None:
                stuck.set()
            raise Transient("Matrix send timed out") from exc
        except Exception as exc:  # aiohttp connection errors, nio's LocalProtocolError
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(resp, RoomSendResponse):
            return str(resp.event_id)
        fail(resp)
