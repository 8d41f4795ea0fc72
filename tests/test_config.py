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
