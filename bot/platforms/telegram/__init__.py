"""Telegram: the python-telegram-bot Application, its transport and rate limits."""

from .platform import TelegramPlatform

__all__ = ["TelegramPlatform"]
