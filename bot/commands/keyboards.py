"""The choices commands offer as buttons, as rows of (label, callback data) that a platform with
buttons draws (Telegram's inline keyboards); the data is read back by the button kinds declared in
bot/commands/registry.py. Never imports a chat platform's library.
"""

from __future__ import annotations

from ..i18n import t
from .actions import prisons

Keyboard = tuple[tuple[tuple[str, str], ...], ...]
MAX_PRISON_BUTTONS = 24


def languages() -> Keyboard:
    return ((("🇻🇪 Español", "lang:es"), ("🇬🇧 English", "lang:en")),)


def filters(lang: str, prison: int | None = None) -> Keyboard:
    if prison is not None:
        return (
            ((t(lang, "subscribe.filter.all"), f"pf:{prison}:all"),),
            ((t(lang, "subscribe.filter.confirmations"), f"pf:{prison}:confirmations"),),
        )
    return (
        ((t(lang, "subscribe.filter.all"), "sub:all"),),
        ((t(lang, "subscribe.filter.confirmations"), "sub:confirmations"),),
        ((t(lang, "subscribe.filter.prison"), "sub:prison"),),
    )


def prison_choices() -> Keyboard:
    names = prisons()[:MAX_PRISON_BUTTONS]
    return tuple(
        tuple((name, f"prison:{i}") for i, name in enumerate(names[j:j + 2], start=j))
        for j in range(0, len(names), 2)
    )


def forget(lang: str) -> Keyboard:
    return (((t(lang, "forget.yes"), "forget:yes"), (t(lang, "forget.no"), "forget:no")),)
