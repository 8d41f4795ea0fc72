"""Each consumer's part of the store (bot/store/protocols.py) is there on Store; mypy checks the
signatures (bot/store/__init__.py), this checks the names in a plain test run too."""

from __future__ import annotations

import inspect

import pytest

from bot import store as store_module
from bot.store import Store
from bot.web.ledger import PublicLedger

PROTOCOLS = ("Published", "LedgerSource", "HealthReads", "StaffQueue", "ReviewStore", "CommandStore", "PipelineStore",
             "DeliveryStore", "WebSubStore")


def _members(protocol: type) -> set[str]:
    names = set()
    for klass in protocol.__mro__:
        if klass is object or klass.__name__ in ("Protocol", "Generic"):
            continue
        names |= {n for n in vars(klass) if not n.startswith("_")}
    return names


@pytest.mark.parametrize("name", PROTOCOLS)
def test_store_has_all_each_consumer_uses(name):
    protocol = getattr(store_module, name)
    members = _members(protocol)
    assert members, name
    missing = {m for m in members if not hasattr(Store, m) and m != "path"}  # path: set on the instance
    assert not missing, f"{name}: Store lacks {sorted(missing)}"
    for m in members - {"path", "in_transaction"}:
        assert inspect.signature(getattr(protocol, m)).parameters.keys() == \
            inspect.signature(getattr(Store, m)).parameters.keys(), (name, m)


def test_the_public_ledger_is_a_published_record_too():
    assert _members(store_module.Published) <= set(dir(PublicLedger))


def test_each_protocol_is_a_small_part_of_the_store():
    public = {n for n in dir(Store) if not n.startswith("_")}
    for name in PROTOCOLS:
        assert len(_members(getattr(store_module, name))) < len(public) / 2, name
