"""Translations: every message id exists in every language with the same placeholders, and every
id the code asks for exists."""

import re
import string
from pathlib import Path

from bot.i18n import LANGS, catalog, num, t
from bot.web.templating import _printf

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
    # /sources lists active feeds only (bot.feedhealth's states but "inactive")
    "sources.{h.state}": ["sources.ok", "sources.pending", "sources.failing"],
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


# -- every catalog string, in both languages (issue 23) --------------------------------------------------
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü]+")
# words both catalogs may hold: names of products, formats and protocols; words that are Spanish
# and English alike; the arguments commands take in English in both languages (/notes on|off,
# !subscribe confirmations, /record confirmed 12, /figure … ok | not, releasewatch chart|export)
BOTH = {"atom", "rss", "rsshub", "bridge", "websub", "hub", "json", "csv", "http", "https", "tcp", "url", "bytes",
        "token", "bot", "stars", "telegram", "matrix", "releasewatch", "chat", "chats", "venezuela", "tocorón", "penal",
        "maría", "josé", "pérez", "rocío", "san", "miguel", "no", "me", "local", "manual", "error", "balance",
        "es", "en", "ok", "not", "on", "off", "confirm", "confirmations", "confirmed", "chart", "export"}
# strings that are rightly the same in both languages: numbers and names, nothing to translate
SAME = {"status.event", "web.count_line", "source.outlet", "web.report_line", "review.figure_line", "sources.ok",
        "sources.failing", "sources.pending", "stats.subscribers", "event.manual"}


def words(text):
    """The words of a catalog string a reader reads: placeholders, /commands with their arguments
    and addresses left out."""
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"https?://\S+|[/!][a-z_]+|\b\w+=\S*|\b[a-z]+(?:\|[a-z]+)+\b", " ", text)
    return {w.lower() for w in WORD.findall(text) if len(w) > 1}  # not "s" of "Foro Penal's", "I" of "Rodeo I"


def test_every_catalog_string_reads_in_its_own_language():
    es, en = catalog("es"), catalog("en")
    assert es.keys() == en.keys()
    vocabulary = {lang: set().union(*(words(v) for v in catalog(lang).values())) for lang in LANGS}
    for key in es:
        # the same placeholders, conversions and formats in both ("{seconds:g}", "{host!r}")
        fields = {lang: sorted(re.findall(r"\{[^}]*\}", catalog(lang)[key])) for lang in LANGS}
        assert fields["es"] == fields["en"], key
        english_left = words(es[key]) & vocabulary["en"] - BOTH
        assert not english_left, f"{key}: English left in Spanish: {english_left} in {es[key]!r}"
        spanish_left = words(en[key]) & vocabulary["es"] - BOTH
        assert not spanish_left, f"{key}: Spanish left in English: {spanish_left} in {en[key]!r}"
        if key not in SAME and words(es[key]) - BOTH:
            assert es[key] != en[key], f"{key} is not translated"
        for lang in LANGS:  # each string fills in, as t() and the templates fill it
            values = {name: 1 for name in placeholders(catalog(lang)[key])}
            assert catalog(lang)[key].format(**values)
            if key.startswith(("web.", "label.", "source.", "status.", "chart.", "note.")):
                assert _printf(catalog(lang)[key]) % values


def test_the_page_and_alert_words_need_no_emoji_font():
    """Headlines and the dispute are read on the page too: their marks are added by the chat
    renderer (bot.alerts.MARKS), never kept in the words."""
    emoji = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
    for lang in LANGS:
        for key, text in catalog(lang).items():
            if key.startswith(("headline.", "label.", "web.", "chart.", "status.", "source.", "note.")):
                assert not emoji.search(text), (lang, key, text)


def test_every_id_a_template_asks_for_exists():
    """Read the templates as Babel's extractor does (jinja2.ext.babel_extract, the i18n extension)."""
    from babel.messages.extract import extract_from_dir

    found = list(extract_from_dir(str(BOT / "web" / "templates"), method_map=[("**.html", "jinja2.ext:babel_extract")],
                                  options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}},
                                  keywords={"_": None, "gettext": None}))
    ids = {message for _path, _line, message, _comments, _context in found}
    assert len(ids) > 60, ids  # the scan works
    assert not ids - set(catalog("es")), ids - set(catalog("es"))


def test_every_speaker_name_is_translated_both_ways():
    import tomllib

    from bot.naming import speaker, table

    for name, langs in table().items():
        assert all(isinstance(langs.get(lang), str) and langs[lang].strip() for lang in LANGS), name
    gazetteer = tomllib.loads((BOT / "data" / "gazetteer.toml").read_text(encoding="utf-8"))
    named = {s["name"] for s in gazetteer["speaker"]} | {o["body"] for o in gazetteer["official"]}
    proper = {"PUD"}  # an organisation's own name, the same in every language
    missing = {n for n in named - proper if speaker("en", n) == speaker("es", n) == n and n.lower() not in table()}
    assert not missing - {"Colombia", "Argentina"}, missing
    assert (speaker("es", "relatives"), speaker("es", "lawyers"), speaker("es", "Spain")) == ("familiares", "abogados", "España")
    assert (speaker("es", "United States"), speaker("en", "Gobierno")) == ("Estados Unidos", "Government")
    assert speaker("en", "Fiscalía (Tarek William Saab)") == "Prosecutor's Office (Tarek William Saab)"
    assert speaker("es", "Government") == "Gobierno" and speaker("en", "Foro Penal") == "Foro Penal"


async def test_the_spanish_demo_prints_nothing_in_english():
    """`releasewatch demo --lang es`: every line in Spanish; what the outlets wrote (their headlines,
    quoted in the outlet's own words) and their names are the only English left."""
    import io

    import feedparser

    from bot.demo import DEMO_FEEDS, demo_files, run_demo

    out = io.StringIO()
    assert await run_demo("es", out=out) == 6
    text = out.getvalue()
    outlets = [name for name, _lang in DEMO_FEEDS.values()]
    quoted = [e.title for body in demo_files().values() for e in feedparser.parse(body).entries]
    for said in sorted(outlets + quoted, key=len, reverse=True):
        text = text.replace(said, " ")
    text = re.sub(r"https?://\S+", " ", text)
    english = set().union(*(words(v) for v in catalog("en").values())) - BOTH
    english |= {"alert", "reply", "feeds", "items", "events", "alerts", "relatives", "lawyers", "spain", "government",
                "united", "states", "attorney", "general", "prosecutor", "office", "via", "the", "of", "and"}
    left = {w for w in words(text) if w in english}
    assert not left, (left, text)
    assert "Aviso n.º 1" in text and "Primera ejecución" in text.splitlines()[0] and "4 fuentes, 15 noticias" in text
