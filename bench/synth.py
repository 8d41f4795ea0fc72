"""Synthetic news feeds for the benchmarks: our own template sentences with varying numbers.

Nothing here is copied from real news, and no real person is quoted: speakers are institutions and
organisations. Items are deterministic for a seed, so a feed, its items and their ids are the same
in the parent process and in a server or service child.

The feeds retell a year of news, as a deployment reads it. A campaign of releases starts on 8
January and goes on in a few dozen rounds, each a few days to two weeks after the last, each at
its own places: the authorities announce a figure, verifiers (Foro Penal, JEyP, the mothers'
committee …) confirm part of it over the next two days, their counts rising, and several outlets
in Spanish and English retell every one of those figures within a day. Every week Foro Penal gives
its running count since 8 January and its tally of political prisoners still held, and the
government claims a larger running total. Most items (85 % by default) are ordinary news with
numbers the matcher must leave alone: prices, scores, votes, arrests, rain, dates, a release in
another country.

It is over 400 lines because the sentences of every kind of item, in both languages, live here as
data beside the year's plan that picks them: one place to read what the bench feeds the bot.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

PRISONS = ("Tocorón", "Rodeo I", "El Helicoide", "Yare III", "Tocuyito", "Las Crisálidas",
           "Zona 7 de Boleíta", "Ramo Verde", "Uribana", "Puente Ayala", "Rodeo II", "Yare I",
           "Tocorito", "La Pica", "Fuerte Tiuna", "El Dorado (Bolívar)")
CITIES = ("Caracas", "Maracaibo", "Valencia", "Barquisimeto", "Mérida", "Ciudad Guayana", "Cumaná",
          "Maturín", "San Cristóbal", "Barcelona", "Coro", "Puerto Ayacucho")
# who announces a round: the same institution in each language
OFFICIALS = (
    ("el Ministerio de Servicio Penitenciario", "the Prison Service Ministry"),
    ("la Fiscalía", "the Attorney General's Office"),
    ("el Gobierno", "the government"),
    ("el Ministerio de Interior", "the interior ministry"),
    ("la Asamblea Nacional", "the National Assembly"),
)
# who confirms: Foro Penal in most rounds, others in some
VERIFIERS = (
    ("Foro Penal", "Foro Penal"),
    ("JEyP", "JEyP"),
    ("el Comité de Madres en Defensa de la Verdad", "the Committee of Mothers in Defence of the Truth"),
    ("CLIPPVE", "CLIPPVE"),
    ("el Observatorio Venezolano de Prisiones", "the Venezuelan Prison Observatory"),
    ("Una Ventana a la Libertad", "A Window to Freedom"),
)
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
             "octubre", "noviembre", "diciembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Placeholders: {a} the official figure, {by} who announced it, {n} a verifier's count, {o} the
# verifier, {p} the places (prisons), {c} a city, {w} the weekday, {cum} a running count since
# 8 January, {t} political prisoners still held, {d} {m} a day and month; ordinary news: {x} {y}
# {k} {g} {h} {j} numbers.
ANNOUNCE_ES = (
    ("{By} anuncia la excarcelación de {a} presos políticos",
     "<p>El anuncio se hizo este {w} en {c}. No se dijo de qué centros saldrán ni cuándo. "
     "Las familias piden la lista con los nombres.</p>"),
    ("Anuncian {a} excarcelaciones de presos políticos",
     "<p>{By} informó de la medida en {c}. Organizaciones de derechos humanos pidieron verificar "
     "cada salida.</p>"),
    ("{By} autoriza la liberación de {a} detenidos por razones políticas",
     "<p>Según el comunicado leído en {c}, las salidas comenzarán en las próximas horas. Abogados "
     "de los detenidos dicen que aún no han sido notificados.</p>"),
    ("{By} informa que {a} presos políticos serán excarcelados",
     "<p>La información se dio a conocer el {w} en {c}. Familiares se concentraron frente a los "
     "penales a la espera de noticias.</p>"),
)
ANNOUNCE_EN = (
    ("{By} announces the release of {a} political prisoners",
     "<p>The announcement was made on {w} in {c}. It did not say from which prisons or when. "
     "Families ask for the list of names.</p>"),
    ("Venezuela to free {a} political prisoners, {by} says",
     "<p>The measure was announced in {c}. Human rights groups asked to verify every release.</p>"),
    ("{By} authorizes the release of {a} people held for political reasons",
     "<p>According to the statement read in {c}, releases will start within hours. Lawyers for the "
     "detainees say they have not been notified.</p>"),
)
CONFIRM_ES = (
    ("{O} verificó {n} excarcelaciones de presos políticos en {p}",
     "<p>Los abogados de la organización constataron las salidas durante la noche del {w}. "
     "Pidieron que se publique la lista completa.</p>"),
    ("{O} confirma la salida de {n} presos políticos de {p}",
     "<p>Familiares esperaron durante horas frente al penal. La organización dijo que seguirá "
     "verificando cada caso.</p>"),
    ("Salen en libertad {n} presos políticos de {p}, según {o}",
     "<p>Las excarcelaciones se produjeron entre la tarde y la madrugada. {O} publicó los nombres "
     "en sus redes.</p>"),
)
CONFIRM_OF_ES = (
    ("{O} confirma {n} de las {a} excarcelaciones anunciadas por {by}",
     "<p>La organización verificó salidas en {p}. Del resto no hay noticias, dijeron sus "
     "abogados.</p>"),
    ("{By} anunció {a} excarcelaciones; {o} ha verificado {n} en {p}",
     "<p>La diferencia entre ambas cifras preocupa a las familias, que siguen esperando frente a "
     "los centros.</p>"),
)
CONFIRM_EN = (
    ("{O} confirms {n} political prisoners released from {p}",
     "<p>The group's lawyers said the releases happened on {w} night. They asked the authorities "
     "to publish the full list.</p>"),
    ("{n} political prisoners freed from {p}, {o} says",
     "<p>Relatives waited for hours outside the prison gates. The group said it keeps checking "
     "every case.</p>"),
    ("{O} verifies the release of {n} political prisoners in {p}",
     "<p>Releases went on through the night, lawyers for the group said on {w}.</p>"),
)
CONFIRM_OF_EN = (
    ("{O} confirms {n} of the {a} releases announced by {by}",
     "<p>The group verified releases in {p}. There is no news of the rest, its lawyers said.</p>"),
)
RUNNING_ES = (
    ("{O}: ya suman {cum} las excarcelaciones verificadas desde el 8 de enero",
     "<p>La organización publica cada semana su conteo acumulado. Sus abogados siguen en las "
     "puertas de los centros.</p>"),
    ("Foro Penal ha verificado {cum} excarcelaciones de presos políticos desde el 8 de enero",
     "<p>El conteo se actualizó este {w}. La organización insiste en que se publiquen las listas "
     "oficiales.</p>"),
)
RUNNING_EN = (
    ("Foro Penal has verified {cum} releases of political prisoners since January 8",
     "<p>The group updates its running count every week and asks for the official lists.</p>"),
)
RUNNING_OFFICIAL_ES = (
    ("El Gobierno afirma que {cum} personas han sido excarceladas desde el 8 de enero",
     "<p>Las organizaciones de derechos humanos dicen que la cifra no coincide con sus "
     "verificaciones.</p>"),
)
RUNNING_OFFICIAL_EN = (
    ("Venezuela's government says {cum} people have been released since January 8",
     "<p>Rights groups say the figure does not match what they have verified.</p>"),
)
TALLY_ES = (
    ("Balance semanal de Foro Penal: {t} presos políticos en Venezuela",
     "<p>Total presos políticos: {t}. La cifra incluye civiles y militares. El balance se publica "
     "cada semana.</p>"),
    ("Foro Penal contabiliza {t} presos políticos",
     "<p>Según el balance publicado este {w}, en Venezuela hay {t} presos políticos, entre ellos "
     "civiles y militares.</p>"),
)
TALLY_EN = (
    ("Weekly count: {t} political prisoners remain in Venezuela",
     "<p>There are {t} political prisoners in the country, Foro Penal said in its weekly report, "
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
     "{d} de {m}.</p>"),
    ("La producción petrolera subió a {x}{y}0.000 barriles diarios en {m}",
     "<p>El dato fue publicado por la OPEP a partir de fuentes secundarias. En {c} las refinerías "
     "operan al {g}0% de su capacidad.</p>"),
    ("Condenan a {j} años de prisión a {g} funcionarios por corrupción en {c}",
     "<p>El tribunal dio por probado el desvío de {x} millones de bolívares entre {m} y "
     "diciembre.</p>"),
    ("Más de {k}.000 venezolanos cruzaron la frontera en {m}, según la ONU",
     "<p>La mayoría viajó desde {c}. Hay {j} puntos de atención en la frontera.</p>"),
    ("El metro de {c} suspende {g} estaciones por mantenimiento",
     "<p>Unas {k}.000 personas usan cada día el servicio. La obra terminará el {d} de {m}.</p>"),
    ("Nicaragua excarcela a {k} presos políticos y los envía al exilio",
     "<p>El gobierno de Managua no publicó la lista. Es la {g}ª liberación masiva desde "
     "2023.</p>"),
    ("Un incendio consume {k} hectáreas de bosque cerca de {c}",
     "<p>Los bomberos trabajaron {j} horas para controlar las llamas. No hubo víctimas.</p>"),
    ("El dólar oficial cierra en {x},{y}{g} bolívares",
     "<p>En {m} la moneda se depreció {j}%. Comerciantes de {c} ajustan precios cada semana.</p>"),
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
     "<p>Turnout was {g}%. Results by state will be published on {m} {d}.</p>"),
    ("Oil output rose to {x}{y}0,000 barrels a day in {m}",
     "<p>OPEC published the figure from secondary sources. Refineries near {c} run at {g}0% of "
     "capacity.</p>"),
    ("More than {k},000 Venezuelans crossed the border in {m}, UN says",
     "<p>Most travelled from {c}. There are {j} aid points along the border.</p>"),
    ("Nicaragua frees {k} political prisoners and sends them into exile",
     "<p>The government in Managua did not publish a list. It is the {g}th mass release since "
     "2023.</p>"),
    ("Wildfire burns {k} hectares of forest near {c}",
     "<p>Firefighters worked for {j} hours to bring the flames under control. Nobody was "
     "hurt.</p>"),
)

EPOCH = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)  # in the past, fixed: ids and dates repeat
CAMPAIGN_START = EPOCH + timedelta(days=2)  # 8 January: running counts count from here


@dataclass(frozen=True)
class Item:
    guid: str
    link: str
    title: str
    description: str
    published: datetime
    lang: str
    kind: str  # intended kind: announcement | confirmation | running | tally | none


@dataclass(frozen=True)
class _Fact:
    """One figure of a round, as its speaker gave it: every outlet retelling it retells this."""

    kind: str  # announcement | confirmation
    value: int
    by: int  # index in OFFICIALS (announcement) or VERIFIERS (confirmation)
    hours: float  # after the round's start
    prisons: tuple[str, ...]


@dataclass(frozen=True)
class _Round:
    start: datetime
    city: str
    prisons: tuple[str, ...]
    official: int | None
    official_by: int
    facts: tuple[_Fact, ...]

    def verified(self, at: datetime) -> int:
        """What verifiers had confirmed of this round by then (each one's highest, the highest of those)."""
        counts = [f.value for f in self.facts if f.kind == "confirmation" and self.start + timedelta(hours=f.hours) <= at]
        return max(counts, default=0)


def _rounds(rng: random.Random, span_days: float, count: int) -> list[_Round]:
    """A campaign: `count` rounds from 8 January, a few days to two weeks apart, each at its own
    places, with figures no other round shares (outlets retell one round's numbers, not another's)."""
    gaps = [rng.uniform(5.0, 12.0) for _ in range(count)]
    room = max(span_days - 6.0, 1.0)
    scale = min(1.0, room / sum(gaps[1:] or [1.0]))
    recent: list[set[int]] = [set() for _ in range(4)]  # the figures of this round and the 3 before it

    def fresh(lo: int, hi: int) -> int:
        """A figure none of the last rounds has: outlets retell one round's numbers, and a number
        shared with a round days before would be read as a retelling of it."""
        taken = set().union(*recent)
        while (value := rng.randrange(lo, max(hi, lo + len(taken) + 1))) in taken:
            pass
        recent[-1].add(value)
        return value

    out = []
    day = 2.0
    for i in range(count):
        if i:
            day += gaps[i] * scale
            recent.append(set())
            del recent[0]
        start = EPOCH + timedelta(days=day, hours=rng.uniform(-6, 8))
        prisons = tuple(rng.sample(PRISONS, k=rng.choice((1, 1, 2, 2, 3))))
        official = fresh(12, 130) if rng.random() < 0.8 else None
        official_by = rng.randrange(len(OFFICIALS))
        facts: list[_Fact] = []
        if official is not None:
            facts.append(_Fact("announcement", official, official_by, rng.uniform(0, 4), ()))
        verifiers = [0] if rng.random() < 0.85 else []
        verifiers += rng.sample(range(1, len(VERIFIERS)), k=rng.choice((0, 1, 1, 2)))
        if not verifiers and official is None:
            verifiers = [0]  # a round nobody gave a figure for is no round in the ledger either
        for v in verifiers:
            # a verifier's count rises over the days after the announcement, below what was announced
            counts = sorted(fresh(3, official * 4 // 5 if official else 70) for _ in range(3 if v == 0 else rng.choice((1, 2))))
            hours = sorted(rng.uniform(6, 54) for _ in counts)
            for c, h in zip(counts, hours, strict=True):
                where = tuple(p for p in prisons if rng.random() < 0.8) or prisons[:1]
                facts.append(_Fact("confirmation", c, v, h, where))
        out.append(_Round(start, rng.choice(CITIES), prisons, official, official_by, tuple(facts)))
    return out


def _places(prisons: tuple[str, ...], lang: str) -> str:
    if len(prisons) == 1:
        return prisons[0]
    joiner = " y " if lang == "es" else " and "
    return ", ".join(prisons[:-1]) + joiner + prisons[-1]


def _num(value: int, lang: str) -> str:
    """A count as outlets write it: 1.204 in Spanish, 1,204 in English (a bare 2009 reads as a year)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "es" else text


def _stamp(when: datetime, lang: str) -> str:
    """An outlet's own line under a retold item: its texts differ, as outlets' do."""
    return f"<p>Actualizado a las {when:%H:%M}.</p>" if lang == "es" else f"<p>Updated at {when:%H:%M} GMT.</p>"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Generator:
    """Deterministic items for feed number `feed` of a run seeded with `seed`: a year of news."""

    def __init__(self, seed: int = 1, span_days: float = 365.0, rounds: int = 40,
                 release_share: float = 0.15) -> None:
        self.seed = seed
        self.span_days = span_days
        self.release_share = release_share
        self.rounds = _rounds(random.Random(seed), span_days, rounds)
        rng = random.Random(seed + 1)
        weeks = max(1, int((span_days - 2) // 7))
        self.weeks = [CAMPAIGN_START + timedelta(days=7 * (w + 1), hours=rng.uniform(0, 10)) for w in range(weeks)]
        held, self.held = 1900, []
        released_before = 0
        for at in self.weeks:  # political prisoners still held: down by releases, up by new arrests
            released = self.verified(at)
            held = max(100, held - (released - released_before) + rng.randrange(0, 30))
            released_before = released
            self.held.append(held)

    def verified(self, at: datetime) -> int:
        """The verifiers' running count since 8 January, as known at `at`."""
        return sum(r.verified(at) for r in self.rounds if r.start <= at)

    def announced(self, at: datetime) -> int:
        """The authorities' running total: every figure they announced, and some they never did."""
        total = sum(r.official or 0 for r in self.rounds if r.start <= at)
        return total + total // 3

    def item(self, feed: int, index: int, published: datetime | None = None) -> Item:
        rng = random.Random(self.seed * 1_000_003 + feed * 10_007 + index)
        lang = "es" if feed % 2 == 0 else "en"
        es = lang == "es"
        roll = rng.random()
        values: dict[str, object] = {
            "x": rng.randrange(2, 90), "y": rng.randrange(0, 10), "k": rng.randrange(3, 400),
            "g": rng.randrange(1, 9), "h": rng.randrange(0, 9), "j": rng.randrange(2, 30),
            "d": rng.randrange(1, 29), "c": rng.choice(CITIES),
        }
        share = self.release_share
        templates: tuple[tuple[str, str], ...]
        if roll < 0.6 * share:  # a round's figure, retold
            rnd = rng.choice(self.rounds)
            fact = rng.choice(rnd.facts)
            when = rnd.start + timedelta(hours=fact.hours + rng.uniform(0, 20))
            by = OFFICIALS[rnd.official_by][0 if es else 1]
            org = VERIFIERS[fact.by][0 if es else 1]
            values.update(a=rnd.official, by=by, By=_cap(by), n=fact.value, o=org, O=_cap(org),
                          p=_places(fact.prisons or rnd.prisons, lang), c=rnd.city)
            kind = fact.kind
            if kind == "announcement":
                templates = ANNOUNCE_ES if es else ANNOUNCE_EN
            elif rnd.official is not None and rng.random() < 0.3:
                templates = CONFIRM_OF_ES if es else CONFIRM_OF_EN
            else:
                templates = CONFIRM_ES if es else CONFIRM_EN
        elif roll < 0.8 * share:  # a running count since 8 January
            week = rng.randrange(len(self.weeks))
            when = self.weeks[week] + timedelta(hours=rng.uniform(0, 30))
            kind = "running"
            if rng.random() < 0.7:
                values.update(cum=_num(self.verified(self.weeks[week]), lang), o="Foro Penal", O="Foro Penal")
                templates = RUNNING_ES if es else RUNNING_EN
            else:
                values.update(cum=_num(self.announced(self.weeks[week]), lang))
                templates = RUNNING_OFFICIAL_ES if es else RUNNING_OFFICIAL_EN
        elif roll < share:  # the weekly tally of prisoners still held
            week = rng.randrange(len(self.weeks))
            when = self.weeks[week] + timedelta(hours=rng.uniform(0, 30))
            kind, templates = "tally", TALLY_ES if es else TALLY_EN
            values["t"] = _num(self.held[week], lang)
        else:
            when = EPOCH + timedelta(days=rng.uniform(0, self.span_days))
            kind, templates = "none", OTHER_ES if es else OTHER_EN
        when = published or when
        values["m"] = (MONTHS_ES if es else MONTHS_EN)[when.month - 1]
        values["w"] = (DAYS_ES if es else DAYS_EN)[when.weekday()]
        title, description = rng.choice(templates)
        description = description.format(**values)
        if kind != "none" and rng.random() < 0.75:  # the rest: the same wire copy in several outlets
            description += _stamp(when, lang)
        return Item(
            guid=f"bench-{self.seed}-{feed}-{index}",
            link=f"https://outlet{feed}.example/news/{index}",
            title=title.format(**values),
            description=description,
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
