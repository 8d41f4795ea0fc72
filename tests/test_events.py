"""Events: pure folding of extractions into release events and revisions."""

from datetime import UTC, datetime, timedelta

from bot.events import Observation, apply, find_event
from bot.matcher import Extraction

T0 = datetime(2025, 12, 31, 12, tzinfo=UTC)
WINDOW = timedelta(days=10)


def obs(item, outlet="A", hours=0, **ex):
    kind = ex.pop("kind", "announcement" if ex.get("announced") else "confirmation")
    e = Extraction(kind=kind, released=ex.get("announced") or ex.get("confirmed"), **ex)
    return Observation(e, item, outlet, f"https://{outlet}.example/{item}", item, T0 + timedelta(hours=hours))


def test_new_event_is_revision_one():
    event, new = apply(obs("i1", announced=87, confirmed=33, prisons=("Tocorón",)), None)
    assert new and event.revision == 1
    assert (event.announced, event.confirmed, event.gap) == (87, 33, 54)


def test_retelling_by_another_outlet_attaches_without_new_revision():
    first, _ = apply(obs("i1", announced=87, confirmed=33), None)
    first = first.__class__(**{**first.__dict__, "id": 1})
    again = obs("i2", outlet="B", hours=5, announced=87, confirmed=33)
    assert find_event(again, [first], WINDOW) is first
    updated, new = apply(again, first)
    assert not new and updated.revision == 1
    assert {f.outlet for f in updated.figures} == {"A", "B"}


def test_confirmed_count_updates_existing_event():
    first, _ = apply(obs("i1", announced=87, confirmed=33), None)
    first = first.__class__(**{**first.__dict__, "id": 1})
    later = obs("i3", hours=40, announced=87, confirmed=52, confirmed_by="Foro Penal")
    assert find_event(later, [first], WINDOW) is first
    updated, new = apply(later, first)
    assert new and updated.revision == 2 and updated.confirmed == 52


def test_lower_confirmed_figure_from_another_source_is_kept_but_is_not_news():
    first, _ = apply(obs("i1", announced=87, confirmed=33), None)
    updated, new = apply(obs("i2", hours=3, announced=87, confirmed=30), first)
    assert not new and updated.confirmed == 33
    assert sorted(f.value for f in updated.figures if f.role == "confirmed") == [30, 33]


def test_different_round_far_apart_opens_a_new_event():
    first, _ = apply(obs("i1", announced=87), None)
    assert find_event(obs("i9", hours=24 * 30, announced=87), [first], WINDOW) is None


def test_unrelated_numbers_do_not_merge():
    first, _ = apply(obs("i1", confirmed=71, prisons=("Tocorón",)), None)
    # issue 14: an official figure the same day as a round counted only by verifiers is that round's
    # (one outlet gives a partial count, the next the official figure); days later it is another round
    assert find_event(obs("i2", hours=2, announced=225), [first], WINDOW) is first
    assert find_event(obs("i3", hours=50, announced=225), [first], WINDOW) is None
    assert find_event(obs("i4", hours=2, announced=225, prisons=("Rodeo I",)), [first], WINDOW) is None


def test_partial_confirmation_at_the_same_prison_attaches_to_announcement():
    first, _ = apply(obs("i1", announced=87, prisons=("Tocorón",)), None)
    later = obs("i2", hours=20, confirmed=20, prisons=("Tocorón",))
    assert find_event(later, [first], WINDOW) is first
