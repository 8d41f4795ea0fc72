"""The [web] table of the config (declared with the rest in bot/config.py) and the environment
variable that holds its token: secrets never come from the file."""

from __future__ import annotations

from ..config import WEB_TOKEN_ENV as TOKEN_ENV
from ..config import WebConfig

__all__ = ["TOKEN_ENV", "WebConfig"]
