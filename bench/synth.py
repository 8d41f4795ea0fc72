"""Synthetic news feeds for the benchmarks: our own template sentences with varying numbers.

Nothing here is copied from real news. Items are deterministic for a seed, so a feed, its items
and their ids are the same in the parent process and in a server or service child. About a
quarter of the items are about releases (announcements, confirmations, weekly tallies) and
retell a small set of events, as several outlets do; the rest is ordinary news with numbers
the matcher must ignore (votes, prices, arrests, dates, scores).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

PRISONS = ("Tocorón", "Rodeo I", "El Helicoide", "Yare III", "Tocuyito", "Las Crisálidas",
           "Zona 7", "Ramo Verde", "Uribana", "Puente Ayala")
ORGS_ES = ("Foro Penal", "el Comité de Madres en Defensa de la Verdad", "Provea", "JEyP")
ORGS_EN = ("Foro Penal", "the Committee of Mothers in Defence of the Truth", "Provea", "JEyP")
CITIES = ("Caracas", "Maracaibo", "Valencia", "Barquisimeto", "Mérida", "Ciudad Guayana", "Cumaná")
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
             "octubre", "noviembre", "diciembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")

# {n} released, {a} announced, {t} still held, {p} prison, {o} organisation, {c} city, {d} day
CONFIRM_ES = (
    ("{o} confirma la excarcelación de {n} presos políticos en {p}",
     "<p>La organización verificó que {n} personas salieron de {p} durante la noche del {d}. "
     "Sus abogados pidieron que se publique la lista completa.</p>"),
    ("Salen en libertad {n} presos políticos de {p}, según {o}",
     "<p>Familiares esperaron durante horas frente al penal. {o} dijo que {n} detenidos "
     "abandonaron {p} y que seguirá verificando casos.</p>"),
)
CONFIRM_EN = (
    ("{o} confirms {n} political prisoners released from {p}",
     "<p>The group said {n} people walked out of {p} on the night of the {d}th. "
     "Lawyers asked the authorities to publish the full list.</p>"),
    ("{n} political prisoners freed from {p}, {o} says",
     "<p>Relatives waited for hours outside the prison gates. {o} said {n} detainees left {p} "
     "and that it keeps checking every case.</p>"),
)
ANNOUNCE_ES = (
    ("El Gobierno anuncia la liberación de {a} presos políticos",
     "<p>El anuncio se hizo en {c}. Las autoridades no dijeron cuándo saldrán ni de qué centros. "
     "Las familias piden fechas y nombres.</p>"),
    ("Autorizan la excarcelación de {a} detenidos por razones políticas",
     "<p>La medida fue informada por el Ejecutivo el {d} de {m}. Organizaciones de derechos "
     "humanos pidieron verificar cada salida.</p>"),
)
ANNOUNCE_EN = (
    ("Government announces the release of {a} political prisoners",
     "<p>The announcement was made in {c}. Officials did not say when or from which prisons "
     "they will leave. Families ask for dates and names.</p>"),
    ("Authorities authorize the release of {a} people held for political reasons",
     "<p>The measure was announced by the executive on {m} {d}. Human rights groups asked "
     "to verify every release.</p>"),
)
TALLY_ES = (
    ("Balance semanal: {t} presos políticos en Venezuela",
     "<p>Total presos políticos: {t}. Según {o}, la cifra incluye civiles y militares. "
     "El balance se publica cada semana.</p>"),
)
TALLY_EN = (
    ("Weekly count: {t} political prisoners remain in Venezuela",
     "<p>There are {t} political prisoners in the country, {o} said in its weekly report, "
     "which includes civilians and members of the military.</p>"),
)
OTHER_ES = (
    ("El BCV reporta una inflación de {x},{y}% en {m}",
     "<p>La variación fue mayor que la del mes anterior. Los precios de {k} productos de la "
     "canasta básica subieron en {c}.</p>"),
    ("{c} gana {g} a {h} y sigue líder del torneo",
     "<p>El equipo sumó {k} puntos en {j} jornadas. El próximo partido será el {d} de {m}.</p>"),
    ("Detienen a {k} personas por contrabando de combustible en {c}",
     "<p>La policía informó que los detenidos trasladaban {x} litros. El caso pasó a la "
     "fiscalía el {d} de {m}.</p>"),
    ("Lluvias dejan {k} viviendas afectadas en {c}",
     "<p>Protección Civil atendió {j} llamadas y abrió {g} refugios. Se esperan más lluvias "
     "hasta el {d} de {m}.</p>"),
    ("Elecciones regionales: el CNE contabilizó {x}.{y}00 votos",
     "<p>La participación fue de {g}%. El organismo publicará los resultados por estado el "
     "{d} de {m} de 2026.</p>"),
)
OTHER_EN = (
    ("Central bank reports monthly inflation of {x}.{y}% in {m}",
     "<p>The rise was steeper than the month before. Prices of {k} basic goods went up in "
     "{c}.</p>"),
    ("{c} beat rivals {g}-{h} and stay top of the league",
     "<p>The team has {k} points after {j} rounds. The next match is on {m} {d}.</p>"),
    ("Police arrest {k} people for fuel smuggling near {c}",
     "<p>Officers said the group carried {x} litres. The case went to prosecutors on {m} "
     "{d}.</p>"),
    ("Rains damage {k} homes in {c}",
     "<p>Civil protection answered {j} calls and opened {g} shelters. More rain is expected "
     "until {m} {d}.</p>"),
    ("Regional elections: electoral council counts {x},{y}00 votes",
     "<p>Turnout was {g}%. Results by state will be published on {m} {d}, 2026.</p>"),
)

EPOCH = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)  # in the past, fixed: ids and dates repeat


@dataclass(frozen=True)
class Item:
    guid: str
    link: str
    title: str
    description: str
    published: datetime
    lang: str
    kind: str  # intended kind: confirmation | announcement | tally | none


@dataclass(frozen=True)
class _Event:
    day: float
    announced: int
    confirmed: tuple[int, ...]  # counts as they grow
    prison: str


def _events(rng: random.Random, span_days: float, count: int) -> list[_Event]:
    out = []
    for _ in range(count):
        announced = rng.randrange(20, 400)
        steps = sorted(rng.sample(range(5, announced), k=min(3, announced - 5)))
        out.append(_Event(rng.uniform(0, span_days), announced, tuple(steps), rng.choice(PRISONS)))
    return sorted(out, key=lambda e: e.day)


class Generator:
    """Deterministic items for feed number `feed` of a run seeded with `seed`."""

    def __init__(self, seed: int = 1, span_days: float = 30.0, events: int = 40,
                 release_share: float = 0.25) -> None:
        self.seed = seed
        self.span_days = span_days
        self.release_share = release_share
        self.event_list = _events(random.Random(seed), span_days, events)

    def item(self, feed: int, index: int, published: datetime | None = None) -> Item:
        rng = random.Random(self.seed * 1_000_003 + feed * 10_007 + index)
        lang = "es" if feed % 2 == 0 else "en"
        roll = rng.random()
        day = rng.uniform(0, self.span_days)
        values = {
            "x": rng.randrange(2, 90), "y": rng.randrange(0, 10), "k": rng.randrange(3, 400),
            "g": rng.randrange(0, 9), "h": rng.randrange(0, 9), "j": rng.randrange(2, 30),
            "d": rng.randrange(1, 29), "c": rng.choice(CITIES),
        }
        templates: tuple[tuple[str, str], ...]
        if roll < self.release_share:
            event = min(self.event_list, key=lambda e: abs(e.day - day))
            day = event.day + rng.uniform(0, 2)
            org = rng.choice(ORGS_ES if lang == "es" else ORGS_EN)
            values.update(n=rng.choice(event.confirmed), a=event.announced, p=event.prison, o=org,
                          t=rng.randrange(700, 950))
            sub = roll / self.release_share
            if sub < 0.5:
                kind, templates = "confirmation", CONFIRM_ES if lang == "es" else CONFIRM_EN
            elif sub < 0.85:
                kind, templates = "announcement", ANNOUNCE_ES if lang == "es" else ANNOUNCE_EN
            else:
                kind, templates = "tally", TALLY_ES if lang == "es" else TALLY_EN
        else:
            kind, templates = "none", OTHER_ES if lang == "es" else OTHER_EN
        when = published or EPOCH + timedelta(days=day)
        values["m"] = (MONTHS_ES if lang == "es" else MONTHS_EN)[when.month - 1]
        title, description = rng.choice(templates)
        return Item(
            guid=f"bench-{self.seed}-{feed}-{index}",
            link=f"https://outlet{feed}.example/news/{index}",
            title=title.format(**values),
            description=description.format(**values),
            published=when,
            lang=lang,
            kind=kind,
        )

    def items(self, feed: int, count: int, start: int = 0) -> list[Item]:
        return [self.item(feed, i) for i in range(start, start + count)]


def rss(items: list[Item], title: str, lang: str) -> bytes:
    """An RSS 2.0 document, newest item first, as outlets publish them."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
             f"<title>{escape(title)}</title><link>https://{escape(title.lower())}.example/</link>"
             f"<description>Synthetic feed for benchmarks</description><language>{lang}</language>"]
    for it in sorted(items, key=lambda i: i.published, reverse=True):
        parts.append(
            f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>"
            f'<guid isPermaLink="false">{escape(it.guid)}</guid>'
            f"<pubDate>{format_datetime(it.published)}</pubDate>"
            f"<description>{escape(it.description)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def feed_body(gen: Generator, feed: int, count: int, start: int = 0) -> bytes:
    lang = "es" if feed % 2 == 0 else "en"
    return rss(gen.items(feed, count, start), f"Outlet{feed}", lang)


def release_item(seq: int, published: datetime) -> Item:
    """A confirmation that opens a new event (its number is new): one alert per subscriber."""
    n = 1000 + 7 * seq  # distinct numbers: never shared with an earlier event
    prison = PRISONS[seq % len(PRISONS)]
    return Item(
        guid=f"live-{seq}",
        link=f"https://live.example/news/{seq}",
        title=f"Foro Penal confirma la excarcelación de {n} presos políticos en {prison}",
        description=f"<p>La organización verificó que {n} personas salieron de {prison} esta tarde.</p>",
        published=published,
        lang="es",
        kind="confirmation",
    )
