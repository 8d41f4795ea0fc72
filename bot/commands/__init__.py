"""Chat commands for every platform: what each does (actions), how its arguments are read (args),
the one registry of commands and buttons with their access rules (registry), and how they run
(dispatch). Never imports a chat platform's library: bot/platforms/telegram/ and bot/platforms/matrix/commands.py adapt.
"""

from .actions import FILTERS, MAX_WATCHES, Chat, chat_lang, help_text, plain, prisons, usage, welcome
from .args import MAX_FIGURE, MAX_ID, BadArgs
from .dispatch import Answer, CommandLimiter, Dispatcher, patiently
from .registry import (
    BUTTONS,
    COMMANDS,
    REFUSAL,
    Access,
    Button,
    Command,
    Deps,
    Reply,
    Request,
    allowed,
    button_kind,
    command_named,
)

__all__ = [
    "BUTTONS", "COMMANDS", "FILTERS", "MAX_FIGURE", "MAX_ID", "MAX_WATCHES", "REFUSAL", "Access", "Answer", "BadArgs",
    "Button", "Chat", "Command", "CommandLimiter", "Deps", "Dispatcher", "Reply", "Request", "allowed", "button_kind",
    "chat_lang", "command_named", "help_text", "patiently", "plain", "prisons", "usage", "welcome",
]
