"""Matrix routing of `!commands`: translates a room message into a bot.commands Request (who is staff,
who manages the room by power level, is it a direct room, the arguments) and runs it from the one
registry. Never decides what a command means or who may run it, and never syncs or sends by itself.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from nio import AsyncClient, RoomGetStateResponse

from ... import commands as cmd
from ...commands.args import words as split_words
from ...i18n import t

PLATFORM = "matrix"
MAX_COMMAND_CHARS = 1000
MANAGER_LEVEL = 50  # moderators and admins manage a room (Telegram: group admins)


def _power_level(state: list[dict[str, Any]], user_id: str) -> float:
    """A user's power level in a room, from its state events (Matrix spec rules)."""
    def find(kind: str) -> dict[str, Any] | None:
        return next((e for e in state if e.get("type") == kind and e.get("state_key") == ""), None)

    create = find("m.room.create") or {}
    create_content = create.get("content") or {}
    version = str(create_content.get("room_version", "1"))
    creators = {create.get("sender"), *(create_content.get("additional_creators") or [])}
    if not (version.isdigit() and int(version) <= 11) and user_id in creators:
        return math.inf  # room versions 12+: creators outrank every power level
    levels = (find("m.room.power_levels") or {}).get("content")
    if levels is None:
        return 100.0 if user_id == create.get("sender") else 0.0
    try:
        return float((levels.get("users") or {}).get(user_id, levels.get("users_default", 0)))
    except (TypeError, ValueError):
        return 0.0


class MatrixCommands:
    """`!name args` in a room → the registry's command, with what Matrix says about the sender."""

    def __init__(self, client: AsyncClient, deps: cmd.Deps, staff: set[str], default_lang: str | None,
                 room_state: Callable[[str], Awaitable[object]]) -> None:
        self.client = client
        self.store = deps.store
        self.staff = staff
        self.default_lang = default_lang
        self.room_state = room_state  # the room's whole state (the platform's call, waiting out a short 429)
        self.dispatcher = cmd.Dispatcher(deps)

    async def route(self, room_id: str, sender: str, body: str) -> cmd.Answer | None:
        """What to answer to `body` (which starts with "!"); None if it is not a command at all ("!!!")."""
        text = body[1:MAX_COMMAND_CHARS]
        words = split_words(text)
        if not words or not words[0].isalpha():
            return None
        name = words[0].lower()
        head = text.split(None, 1)
        lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.default_lang)
        room = self.client.rooms.get(room_id)
        req = cmd.Request(
            cmd.Chat(PLATFORM, room_id, lang), user=sender, args=head[1].strip() if len(head) > 1 else "",
            private=room is not None and room.member_count <= 2,  # the bot and one person
            staff=sender in self.staff, who=sender, prefix="!", files=True,  # uploaded to the room
            manages=partial(self.manages, room_id, sender),
        )
        spec = cmd.command_named(name)
        if spec is None:
            unknown = cmd.Answer((cmd.Reply(cmd.plain(t(lang, "matrix.unknown", command=name[:40]))),))
            return self.dispatcher.limited(req) or unknown
        return await self.dispatcher.command(spec, req)

    async def manages(self, room_id: str, sender: str) -> bool:
        """Room moderators and admins: power level 50+ (since room version 12, the creators too)."""
        try:
            # the whole state, not just m.room.power_levels: since room version 12 the creators
            # are not listed there (their power is implicit), so m.room.create is needed too
            resp = await self.room_state(room_id)
        except Exception:
            return False
        if not isinstance(resp, RoomGetStateResponse):
            return False
        return _power_level(resp.events, sender) >= MANAGER_LEVEL
