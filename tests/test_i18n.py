"""Translations: every message id exists in every language with the same placeholders, and every
id the code asks for exists."""

import re
import string
from pathlib import Path

from bot.i18n import LANGS, catalog, num, t

BOT = Path(__file__).resolve().parents[1] / "bot"
# ids built at run time from a fixed set of suffixes
DYNAMIC = {
    "label.{role}": ["label.announced", "label.confirmed"],
    "label.{f.role}": ["label.announced", "label.confirmed"],
    "subscribe.filter.{filter}": ["subscribe.filter.all", "subscribe.filter.confirmations", "subscribe.filter.staff"],
    "cmd.{c}": ["cmd.start", "cmd.help", "cmd.language", "cmd.subscribe", "cmd.unsubscribe", "cmd.status",
                "cmd.latest", "cmd.sources", "cmd.forget"],
    "usage.{command}": ["usage.broadcast", "usage.language", "usage.watch", "usage.unwatch", "usage.notes",
                        "usage.approve", "usage.reject", "usage.edit", "usage.record", "usage.event",
                        "usage.export", "usage.addfeed", "usage.removefeed"],
    "note.{kind}": ["note.transfer", "note.visits"],
    "review.status_{outcome.status}": ["review.status_held", "review.status_released", "review.status_rejected",
                                       "review.status_superseded"],
    "review.status_{status}": ["review.status_held", "review.status_released", "review.status_rejected",
                               "review.status_superseded"],
    "review.done_{outcome.status}": ["review.done_released", "review.done_rejected"],
    "review.already_{status}": ["review.already_released", "review.already_rejected"],
}


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_id_is_translated_in_every_language():
    ids = {lang: set(catalog(lang)) for lang in LANGS}
    assert ids["es"] == ids["en"], ids["es"] ^ ids["en"]
    for key in ids["es"]:
        assert all(catalog(lang)[key].strip() for lang in LANGS), key
        assert placeholders(catalog("es")[key]) == placeholders(catalog("en")[key]), key


def test_every_id_used_in_code_exists():
    used = set()
    for path in BOT.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"""\b(?:t\(\s*[\w.\[\]]+\s*,|because\()\s*(f?)["']([^"']+)["']""", src):
            key = m.group(2)
            if m.group(1):
                assert key in DYNAMIC, f"{path.name}: dynamic id {key} not listed in DYNAMIC"
                used.update(DYNAMIC[key])
            else:
                used.add(key)
    assert used, "no ids found: the scan is broken"
    missing = used - set(catalog("es"))
    assert not missing, missing


def test_numbers_follow_the_reader_locale():
    assert num("es", 1194) == "1.194"
    assert num("en", 1194) == "1,194"
    assert t("es", "headline.confirmed_of", confirmed=33, announced=87).startswith("Confirmadas 33 de 87")
