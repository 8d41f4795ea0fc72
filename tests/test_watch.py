"""Watched names: accent- and case-blind, tolerant of a missing surname, an initial or a typo,
never fooled by a different first name."""

import pytest

from bot.vault import Vault, VaultError, current
from bot.watch import compare, find


@pytest.mark.parametrize("candidate", ["María José Pérez", "maria jose perez", "MARÍA JOSÉ PÉREZ"])
def test_same_name_in_any_case_or_accent_is_exact(candidate):
    assert compare("María José Pérez", candidate).exact


@pytest.mark.parametrize("candidate", [
    "Maria Jose Perez Gómez",  # a second surname the family did not type
    "María J. Pérez",  # an initial
    "María José Peres",  # a small typo
])
def test_near_forms_are_possible_not_exact(candidate):
    m = compare("María José Pérez", candidate)
    assert m is not None and not m.exact


@pytest.mark.parametrize("candidate", [
    "José Pérez Rodríguez",  # a different first name
    "María José Paredes",  # a different surname
    "Carmen Rosa Díaz",
    "Pérez",  # one word says nothing
])
def test_different_people_do_not_match(candidate):
    assert compare("María José Pérez", candidate) is None


def test_a_short_name_needs_its_first_surname_first():
    assert compare("Luis Pérez", "Luis Gómez Pérez") is None
    assert compare("Luis Pérez", "Luis Pérez Gómez") is not None


def test_find_prefers_an_exact_match():
    name, m = find("Ana Rivas", ["Ana Rivas Toro", "Ana Rivas"])
    assert name == "Ana Rivas" and m.exact


def test_vault_round_trip_and_rotation():
    old, new = Vault.new_key(), Vault.new_key()
    token = Vault(old).encrypt("María José Pérez")
    assert "Pérez" not in token
    with pytest.raises(VaultError):
        Vault(new).decrypt(token)
    rotated = Vault(new, (old,)).rotate(token)
    assert Vault(new).decrypt(rotated) == "María José Pérez"


def test_a_bad_key_is_a_clear_error():
    with pytest.raises(VaultError, match="releasewatch keygen"):
        Vault("not-a-key")


def test_the_vault_of_the_environment_is_read_in_one_place_and_shared(monkeypatch):
    monkeypatch.delenv("RELEASEWATCH_KEY", raising=False)
    assert current() is None
    old, new = Vault.new_key(), Vault.new_key()
    monkeypatch.setenv("RELEASEWATCH_KEY", old)
    first = current()
    assert first is not None and current() is first  # one per key, shared
    token = first.encrypt("María José Pérez")
    monkeypatch.setenv("RELEASEWATCH_KEY", f" {new} ")
    monkeypatch.setenv("RELEASEWATCH_OLD_KEYS", f"{old}, ")
    rotated = current()
    assert rotated is not first and rotated is not None and rotated.decrypt(token) == "María José Pérez"
    monkeypatch.setenv("RELEASEWATCH_KEY", "not-a-key")
    with pytest.raises(VaultError):
        current()
