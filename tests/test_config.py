"""Config loading: every problem names its file, line and key (issue 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.loader import load_config
from bot.config.settings import Env
from bot.errors import ConfigErrors
from tests.conftest import ROOT


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _errors(directory: Path) -> list[str]:
    with pytest.raises(ConfigErrors) as info:
        load_config(directory)
    return [str(e) for e in info.value.errors]


def test_default_config_loads() -> None:
    config = load_config(ROOT / "config", run_examples=True)
    assert set(config.rules.rule_ids) == {"troop-deployment", "state-of-emergency",
                                          "mass-detention"}
    assert config.settings.watch == ("AM", "BY", "KZ", "KG", "RU", "TJ")
    assert {f.language for f in config.feeds} == {"en", "ru"}


def test_demo_config_loads() -> None:
    config = load_config(ROOT / "examples" / "demo")
    assert all(Path(f.url).is_file() for f in config.feeds)  # local paths, resolved
    assert config.settings.poll.backfill == "all"


def test_misspelt_key_names_file_line_and_key(cfg: Path) -> None:
    text = (cfg / "settings.yaml").read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("  interval:"))
    (cfg / "settings.yaml").write_text(text.replace("  interval:", "  intervall:"), "utf-8")
    errors = _errors(cfg)
    assert errors == [f"{cfg / 'settings.yaml'}:{line}: poll.intervall: unknown key "
                      "(did you mean 'interval'?)"]


def test_feed_errors(cfg: Path) -> None:
    (cfg / "feeds.yaml").write_text(
        "feeds:\n"
        "  - id: a\n    url: https://example.org/a.xml\n"
        "  - id: a\n    url: https://example.org/b.xml\n"
        "  - id: Bad Id\n    url: ftp://example.org/c.xml\n    interval: 5\n",
        encoding="utf-8")
    errors = _errors(cfg)
    path = cfg / "feeds.yaml"
    assert f"{path}:7: feeds[2].url: Value error, only http(s) URLs or local file paths " \
           "are accepted" in errors
    assert any(e.startswith(f"{path}:6: feeds[2].id: ") for e in errors)
    assert any(e.startswith(f"{path}:8: feeds[2].interval: ") for e in errors)
    assert f"{path}:4: feeds[1].id: duplicate feed id 'a'" in errors


def test_yaml_syntax_and_duplicate_keys(cfg: Path) -> None:
    (cfg / "settings.yaml").write_text("poll:\n  interval: 60\n  interval: 90\n", "utf-8")
    assert _errors(cfg) == [f"{cfg / 'settings.yaml'}:3: poll.interval: duplicate key"]
    (cfg / "settings.yaml").write_text("poll: [1, 2\n", "utf-8")
    (error,) = _errors(cfg)
    assert error.startswith(f"{cfg / 'settings.yaml'}:2: -: invalid YAML")


def test_yaml_cannot_construct_python_objects(cfg: Path) -> None:
    (cfg / "settings.yaml").write_text(
        "watch: !!python/object/apply:os.system [echo pwned]\n", "utf-8")
    (error,) = _errors(cfg)
    assert "settings.yaml:1: watch: unsupported YAML tag" in error


def test_missing_files(tmp_path: Path) -> None:
    assert _errors(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}:0: -: "
                                             "config directory not found"]
    (tmp_path / "settings.yaml").write_text("{}\n", "utf-8")
    errors = _errors(tmp_path)
    assert f"{tmp_path / 'feeds.yaml'}:0: -: file not found" in errors
    assert any("rule_paths[0]: no rule files" in e for e in errors)


def test_check_command(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == "OK: 29 feeds, 3 rules"
    (cfg / "feeds.yaml").write_text("feeds:\n  - id: a\n    ulr: https://x.org/\n", "utf-8")
    assert main(["check", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"{cfg / 'feeds.yaml'}:3: feeds[0].ulr: unknown key (did you mean 'url'?)" in err


def test_env_never_shows_the_token() -> None:
    env = Env.from_environ({"EVENTWATCH_TELEGRAM_TOKEN": "123456:SECRET-token-value",
                            "EVENTWATCH_REDIS_URL": "redis://:pw@host:6379/0"})
    assert env.telegram_token == "123456:SECRET-token-value"
    assert "SECRET" not in repr(env) and "pw" not in repr(env)
    assert Env.from_environ({}).telegram_api_url == "https://api.telegram.org"


def test_every_default_feed_says_how_its_url_was_found_issue14() -> None:
    """config/feeds.yaml: a comment above each feed gives its evidence, and every feed
    has a language of the reference rules."""
    lines = (ROOT / "config" / "feeds.yaml").read_text("utf-8").splitlines()
    feeds = [i for i, line in enumerate(lines) if line.lstrip().startswith("- {id:")]
    assert len(feeds) >= 29
    words = ("unverified", "used in", "probed by", "documented on", "conventional path")
    for i in feeds:
        note = lines[i - 1].strip()
        assert note.startswith("#") and any(w in note for w in words), lines[i]
    config = load_config(ROOT / "config")
    assert {f.language for f in config.feeds} == {"en", "ru"}
