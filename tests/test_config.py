"""Config: every key validated, mistakes named in one sentence, exit code 2 from the CLI."""

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_is_valid_and_lists_real_outlets_in_both_languages():
    config = load_config(ROOT / "config.example.toml")
    assert len(config.feeds) >= 8
    langs = {f.lang for f in config.feeds}
    assert langs == {"es", "en"}
    assert all(f.url.startswith("https://") for f in config.feeds)


def test_relative_database_path_is_relative_to_the_config_file(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('database = "data/rw.db"\n')
    assert load_config(p).database == tmp_path / "data" / "rw.db"


@pytest.mark.parametrize(
    "toml, key",
    [
        ("pol_interval = 60", "pol_interval"),
        ('poll_interval = "often"', "poll_interval"),
        ("poll_interval = 5", "poll_interval"),
        ('[[feeds]]\nname = "x"\nurl = "ftp://example.org/feed"', "feeds[0].url"),
        ('[[feeds]]\nname = "x"', "feeds[0].url"),
        ('[[feeds]]\nname = "x"\nurl = "https://a.example/f"\nlang = "fr"', "feeds[0].lang"),
        ("[telegram]\ntoken = \"123:abc\"", "telegram.token"),
        ("[telegram]\nstaff_user_ids = [\"ana\"]", "telegram.staff_user_ids"),
        ('[matrix]\nuser_id = "releasewatch"', "matrix.user_id"),
        ("allow_private_feed_urls = 1", "allow_private_feed_urls"),
    ],
)
def test_bad_key_names_the_key(toml, key):
    import tomllib

    with pytest.raises(ConfigError) as err:
        parse_config(tomllib.loads(toml))
    assert f"'{key}'" in str(err.value)


def test_secrets_come_from_the_environment_not_the_file(monkeypatch):
    config = parse_config({"telegram": {"enabled": True}})
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:secret")
    assert config.telegram.token == "42:secret"
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert config.telegram.token is None


def test_cli_wrong_key_exits_2_with_one_sentence(tmp_path, capsys):
    p = tmp_path / "c.toml"
    p.write_text("[telegram]\nenabeld = true\n")
    assert main(["status", "--config", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "'telegram.enabeld'" in err


def test_cli_missing_config_file_exits_2(tmp_path, capsys):
    assert main(["poll", "--once", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_invalid_toml_exits_2(tmp_path, capsys):
    p = tmp_path / "c.toml"
    p.write_text("poll_interval = = 3\n")
    assert main(["status", "--config", str(p)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_every_key_is_declared_with_help_and_documented_in_the_example():
    import re

    from bot.config import config_keys

    documented = set()
    section = ""
    for line in (ROOT / "config.example.toml").read_text().splitlines():
        if header := re.match(r"^\[\[?([\w.]+)\]\]?", line):
            section = header.group(1)
        elif assignment := re.match(r"^#?\s*(\w+)\s*=", line):
            documented.add(f"{section}.{assignment.group(1)}".lstrip("."))
    keys = config_keys()
    assert {"poll_interval", "review.remind_after_minutes", "feeds.url", "telegram.staff_chat_id", "matrix.staff_room"} <= set(keys)
    assert sorted(set(keys) - documented) == []
    assert [key for key, info in keys.items() if not info.description] == []
    load_config(ROOT / "config.example.toml")


def test_an_empty_file_gives_the_declared_defaults():
    from bot.config import Config

    assert parse_config({}) == Config()


def test_no_secret_can_be_read_from_the_file():
    from bot.config import config_keys

    assert [key for key in config_keys() if "token" in key or "password" in key] == []
    for table, key in [("telegram", "token"), ("matrix", "access_token"), ("matrix", "password")]:
        with pytest.raises(ConfigError, match=f"Unknown config key '{table}.{key}'"):
            parse_config({table: {key: "secret"}})


@pytest.mark.parametrize(
    "doc, sentence",
    [
        ({"telegram": {"messages_per_second": 2000}}, "Config key 'telegram.messages_per_second' must be between 1 and 1000."),
        ({"poll_interval": 5}, "Config key 'poll_interval' must be between 30 and 604800."),
        ({"feeds": [{"name": "x", "url": "https://a.example/f", "interval": 5}]},
         "Config key 'feeds[0].interval' must be between 30 and 604800."),
        ({"request_timeout": 0}, "Config key 'request_timeout' must be more than 0 and at most 3600."),
        ({"request_timeout": float("nan")}, "Config key 'request_timeout' must be a finite number, not nan."),
        ({"review": {"threshold": float("inf")}}, "Config key 'review.threshold' must be a finite number, not inf."),
        ({"poll_interval": True}, "Config key 'poll_interval' must be a whole number, not True."),
        ({"review": {"threshold": False}}, "Config key 'review.threshold' must be a number, not False."),
        ({"matrix": {"device_name": "a\x00b"}}, "Config key 'matrix.device_name' must not contain a NUL character."),
        ({"telegram": {"staff_user_ids": [1, "ana"]}},
         "Config key 'telegram.staff_user_ids' item 2 must be a whole number, not 'ana'."),
        ({"default_lang": "fr"}, "Config key 'default_lang' must be \"es\" or \"en\", not 'fr'."),
        ({"review": {"mode": "some"}}, "Config key 'review.mode' must be \"off\", \"low_confidence\" or \"all\", not 'some'."),
        ({"review": {"remind": 5}}, "Unknown config key 'review.remind'; expected one of: mode, remind_after_minutes, threshold."),
        ({"review": 3}, "Config key 'review' must be a [review] table, not 3."),
        ({"feeds": [{"name": "x"}]}, "Config key 'feeds[0].url' is missing."),
    ],
)
def test_mistake_is_one_sentence_naming_the_key(doc, sentence):
    with pytest.raises(ConfigError) as err:
        parse_config(doc)
    assert str(err.value) == sentence


def test_a_supergroup_staff_chat_id_is_accepted():
    assert parse_config({"telegram": {"staff_chat_id": -1001234567890}}).telegram.staff_chat_id == -1001234567890


def test_review_table_fills_the_flat_review_fields():
    config = parse_config({"review": {"mode": "all", "threshold": 1, "remind_after_minutes": 5}})
    assert (config.review_mode, config.review_threshold, config.review_remind_minutes) == ("all", 1.0, 5)
    assert isinstance(config.review_threshold, float)


def test_config_objects_are_frozen():
    from dataclasses import FrozenInstanceError

    config = load_config(ROOT / "config.example.toml")
    with pytest.raises(FrozenInstanceError):
        config.poll_interval = 1  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        config.telegram.enabled = True  # type: ignore[misc]
