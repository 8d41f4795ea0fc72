"""Who said which number, in the ledger (issue 14): rounds keep every speaker's figure, officials
announce and never confirm, running counts over a campaign are ledger lines and never rounds,
and families hear again only when something a reader cares about changed."""

from datetime import UTC, datetime, timedelta

from bot.events import Observation, apply, find_event, reports_a_round, running_counts
from bot.figures import Figure
from bot.matcher import Extraction


def Said(*args, sure=True, **kw):  # noqa: N802 - reads as the figure an item said
    """A figure the text binds (sure), unless the test says otherwise."""
    return Figure(*args, sure=sure, **kw)

T0 = datetime(2026, 1, 12, 12, tzinfo=UTC)
WINDOW = timedelta(days=10)


def obs(item, *figures, kind="confirmation", outlet="A", hours=0, title=None, prisons=(), disputed=False):
    ex = Extraction(kind=kind, prisons=tuple(prisons), figures=tuple(figures), disputed=disputed,
                    released=figures[0].value if figures and figures[0].sure else None)
    return Observation(ex, item, outlet, f"https://{outlet}.example/{item}", title or item, T0 + timedelta(hours=hours))


def saved(event):
    return event.__class__(**{**event.__dict__, "id": 1})


def test_an_official_figure_is_announced_never_confirmed():
    event, _ = apply(obs("i1", Said("confirmed", 225, "Fiscalía (Tarek William Saab)", "official")), None)
    assert (event.announced, event.confirmed, event.announced_by) == (225, None, "Fiscalía (Tarek William Saab)")


def test_each_verifier_keeps_its_figure_and_the_highest_leads():
    event, _ = apply(obs("i1", Said("announced", 225, "Fiscalía", "official"), Said("confirmed", 107, "Foro Penal", "independent"),
                         Said("confirmed", 53, "JEyP", "independent")), None)
    assert event.confirmations() == {"Foro Penal": 107, "JEyP": 53}
    assert (event.announced, event.confirmed, event.gap) == (225, 107, 118)


def test_a_running_count_is_a_ledger_line_not_a_round():
    o = obs("i1", Said("confirmed", 426, "Foro Penal", "independent", cumulative=True, since="2026-01-08"))
    assert not reports_a_round(o)
    (rc,) = running_counts(o)
    assert (rc.by, rc.value, rc.since.isoformat()) == ("Foro Penal", 426, "2026-01-08")


def test_a_verifier_raising_its_figure_is_news_a_retelling_is_not():
    first = saved(apply(obs("i1", Said("confirmed", 24, "Foro Penal", "independent"), prisons=("Rodeo I", "Yare III")),
                        None)[0])
    retold, news = apply(obs("i2", Said("confirmed", 24, "Foro Penal", "independent"), outlet="B", hours=3,
                             prisons=("Rodeo I",)), first)
    assert not news and retold.revision == 1
    risen, news = apply(obs("i3", Said("confirmed", 31, "Foro Penal", "independent"), hours=20, prisons=("Rodeo I",)), retold)
    assert news and risen.revision == 2 and risen.confirmed == 31
    # a second verifier's first figure counts as a rise, even below the highest ...
    second, news = apply(obs("i4", Said("confirmed", 12, "JEyP", "independent"), hours=22), risen)
    assert news and second.confirmations() == {"Foro Penal": 31, "JEyP": 12}
    # ... but not a part of the round counted at one of its places
    part, news = apply(obs("i5", Said("confirmed", 9, "relatives", "independent"), hours=23, prisons=("Rodeo I",)), second)
    assert not news and part.confirmations()["relatives"] == 9


def test_the_official_figure_arriving_and_being_disputed_are_news():
    first = saved(apply(obs("i1", Said("confirmed", 71, "Foro Penal", "independent")), None)[0])
    official, news = apply(obs("i2", Said("announced", 99, "Gobierno", "official"), kind="announcement", hours=2), first)
    assert news and official.announced == 99 and not official.disputed
    doubted, news = apply(obs("i3", Said("announced", 99, "Gobierno", "official", disputed=True),
                              Said("confirmed", 71, "CLIPPVE", "independent"), hours=5, disputed=True), official)
    assert news and doubted.disputed and doubted.disputed_by == "CLIPPVE"
    again, news = apply(obs("i4", Said("announced", 99, "Gobierno", "official", disputed=True), hours=8, disputed=True), doubted)
    assert not news and again.revision == doubted.revision


def test_a_partial_count_and_the_official_figure_from_two_outlets_are_one_round():
    partial = saved(apply(obs("i1", Said("confirmed", 65, "Comité de Madres", "independent"), prisons=("Tocorón",),
                              title="Salen 65 presos políticos de Tocorón"), None)[0])
    official = obs("i2", Said("announced", 99, "Gobierno", "official"), kind="announcement", outlet="B", hours=18,
                   prisons=("Tocorón", "La Guaira"), title="El Gobierno anuncia la excarcelación de 99 presos políticos")
    assert find_event(official, [partial], WINDOW) is partial


def test_alike_headlines_join_a_round_without_a_shared_number_or_place():
    first = saved(apply(obs("i1", Said("confirmed", 18, "Foro Penal", "independent"),
                            title="Excarcelan a presos políticos tras el anuncio del Parlamento"), None)[0])
    retold = obs("i2", Said("confirmed", 20, "JEyP", "independent"), outlet="B", hours=6,
                 title="Excarcelan presos políticos tras el anuncio del Parlamento, según JEyP")
    assert find_event(retold, [first], WINDOW) is first
    unrelated = obs("i3", Said("confirmed", 20, "JEyP", "independent"), outlet="B", hours=48,
                    title="Liberan a dos periodistas en Maracaibo")
    assert find_event(unrelated, [first], WINDOW) is None


def test_a_running_count_from_before_the_weekend_updates_no_round():
    weekend = saved(apply(obs("i1", Said("confirmed", 40, "Foro Penal", "independent"), prisons=("Rodeo I",)), None)[0])
    before = obs("i2", Said("confirmed", 156, "Foro Penal", "independent", cumulative=True, since="2026-01-08"),
                 hours=2, prisons=("Rodeo I",))
    assert not reports_a_round(before)
    assert weekend.confirmed == 40


def test_an_unsure_figure_makes_no_round_number_and_is_not_news_of_a_number():
    """Rounds from sure figures only (issue 22): a held count the text did not bind never becomes
    the round's confirmed figure; the release itself is still a (numberless) round."""
    o = obs("i1", Said("confirmed", 800, "Foro Penal", "independent", sure=False))
    assert reports_a_round(o)
    event, news = apply(o, None)
    assert news and (event.announced, event.confirmed, event.figures) == (None, None, ())
    later, news = apply(obs("i2", Said("confirmed", 17, "Foro Penal", "independent"), hours=2), saved(event))
    assert news and later.confirmed == 17


def test_who_disputes_is_named_by_the_report_that_says_so_not_by_a_later_one():
    first = saved(apply(obs("i1", Said("confirmed", 24, "Foro Penal", "independent")), None)[0])
    official, _ = apply(obs("i2", Said("announced", 116, "Gobierno", "official"), kind="announcement", hours=2), first)
    # a report that the official figure is disputed, naming no verifier
    doubted, news = apply(obs("i3", Said("announced", 116, "Gobierno", "official", disputed=True), hours=5,
                              disputed=True), official)
    assert news and doubted.disputed and doubted.disputed_by is None
    # the next report is another verifier's count: it confirms, it does not dispute
    later, news = apply(obs("i4", Said("confirmed", 4, "United States", "independent"), hours=8), doubted)
    assert news and later.disputed and later.disputed_by is None


def test_a_later_count_for_the_same_days_joins_the_round_whatever_its_numbers():
    """'103 excarcelaciones del 10 al 12 de diciembre', then four days later '179 del 10 al 14': the
    same round, updated (no number in common, days apart); a count for other days is another round."""
    def told(item, value, period, hours):
        ex = Extraction(kind="announcement", figures=(Said("announced", value, "Gobierno", "official"),),
                        released=value, announced=value, period=period)
        return Observation(ex, item, "A", f"https://a.example/{item}", item, T0 + timedelta(hours=hours))

    first = saved(apply(told("i1", 103, "2026-01-10/2026-01-12", 0), None)[0])
    later = told("i2", 179, "2026-01-10/2026-01-14", 100)
    assert find_event(later, [first], WINDOW) is first
    other = told("i3", 179, "2026-01-15/2026-01-16", 100)
    assert find_event(other, [first], WINDOW) is None


def test_the_matcher_gives_the_days_a_release_is_told_for():
    from bot.matcher import match
    ex = match("Fiscalía reporta 179 excarcelaciones del 10 al 14 de diciembre", "", "es", "2024-12-16T21:00:00Z")
    assert ex.period == "2024-12-10/2024-12-14"
    ex = match("Foro Penal verified 40 releases between January 16 and 24", "", "en", "2026-01-25T12:00:00Z")
    assert ex.period == "2026-01-16/2026-01-24"
    assert match("Foro Penal verifica 40 excarcelaciones desde el 8 de enero", "", "es", "2026-01-25T12:00:00Z").period is None
