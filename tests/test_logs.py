"""Logging: JSON lines with extras, and secrets redacted from every part of a record."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.ops.logs import configure_logging, secrets_from_environ

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_"
REDIS_URL = "redis://default:s3cr3t-Pa55@redis.internal:6379/0"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {n: logging.getLogger(n).level for n in ("httpx", "httpcore")}
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for name, lvl in quiet.items():
            logging.getLogger(name).setLevel(lvl)


def _lines(buf: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_json_lines_carry_timestamp_level_logger_message_and_extras(
    restore_logging: None,
) -> None:
    buf = io.StringIO()
    configure_logging("INFO", True, stream=buf, secrets=())
    log = logging.getLogger("bot.feeds.poll")
    log.info("polled %s: %d new", "azattyq-ru", 3, extra={"feed": "azattyq-ru", "new": 3})
    log.debug("not shown at INFO")
    logging.getLogger("bot.delivery.sender").warning(
        "slow chat", extra={"chat": -100123, "rule": "x"})

    first, second = _lines(buf)
    assert first["message"] == "polled azattyq-ru: 3 new"
    assert first["level"] == "INFO"
    assert first["logger"] == "bot.feeds.poll"
    assert first["feed"] == "azattyq-ru" and first["new"] == 3
    assert str(first["timestamp"]).endswith("Z") and str(first["timestamp"])[:4].isdigit()
    assert second["chat"] == -100123 and second["rule"] == "x"
    assert second["level"] == "WARNING"


def test_token_and_redis_password_never_reach_the_output(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTWATCH_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("EVENTWATCH_REDIS_URL", REDIS_URL)
    for json_format in (True, False):
        buf = io.StringIO()
        configure_logging("DEBUG", json_format, stream=buf)
        log = logging.getLogger("httpx")  # the library that logs Bot API URLs
        log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        logging.getLogger("bot.store").error("connect %s failed", REDIS_URL,
                                             extra={"url": REDIS_URL, "args_list": [TOKEN]})
        try:
            raise ConnectionError(f"cannot reach {REDIS_URL} with token {TOKEN}")
        except ConnectionError:
            logging.getLogger("bot.app").exception("startup failed")
        logging.getLogger("bot.app").info("stack", stack_info=True, extra={"token": TOKEN})

        out = buf.getvalue()
        assert TOKEN not in out
        assert TOKEN.split(":")[1] not in out
        assert "s3cr3t-Pa55" not in out
        assert "redis://default:***@redis.internal:6379/0" in out
        assert "ConnectionError: cannot reach" in out  # the traceback is kept, redacted
        assert "getUpdates" in out


def test_token_literal_from_env_is_redacted_even_without_the_token_shape(
    restore_logging: None,
) -> None:
    # A self-hosted Bot API may accept tokens that do not look like Telegram's.
    buf = io.StringIO()
    configure_logging("INFO", False, stream=buf, secrets=["odd-token-value"])
    logging.getLogger("bot").info("token is odd-token-value", extra={"t": "odd-token-value"})
    assert "odd-token-value" not in buf.getvalue()
    assert "token is ***" in buf.getvalue()


def test_a_second_call_replaces_the_handler_instead_of_adding_one(
    restore_logging: None,
) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", False, stream=first, secrets=())
    configure_logging("WARNING", True, stream=second, secrets=())
    logging.getLogger("bot").warning("once")
    logging.getLogger("bot").info("filtered by level")
    assert first.getvalue() == ""
    assert [line["message"] for line in _lines(second)] == ["once"]


def test_secrets_from_environ_takes_the_token_and_the_redis_password() -> None:
    env = {"EVENTWATCH_TELEGRAM_TOKEN": TOKEN, "EVENTWATCH_REDIS_URL": REDIS_URL}
    assert secrets_from_environ(env) == (TOKEN, "s3cr3t-Pa55")
    assert secrets_from_environ({"EVENTWATCH_REDIS_URL": "redis://redis:6379/0"}) == ()
