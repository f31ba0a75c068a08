"""One error tree for the application; every error carries its data."""

from __future__ import annotations

from enum import StrEnum


class EventwatchError(Exception):
    """Root of every error eventwatch raises on purpose."""


class ConfigError(EventwatchError):
    """A problem in a config file, located as precisely as the YAML allows."""

    def __init__(self, path: str, line: int | None, key: str, message: str) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 0}: {self.key or '-'}: {self.message}"


class ConfigErrors(EventwatchError):
    """Every problem found in one config directory, in file order."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class FeedErrorKind(StrEnum):
    """Why a poll failed: the `kind` label of eventwatch_feed_errors_total."""

    TIMEOUT = "timeout"
    HTTP = "http"  # an HTTP error status (or a missing local file)
    TOO_LARGE = "too_large"
    REDIRECT = "redirect"
    NETWORK = "network"  # connection problems, refused URLs and addresses
    PARSE = "parse"  # fetched, but not a feed
    INTERNAL = "internal"  # a bug of ours


class FeedError(EventwatchError):
    """A failed fetch or poll. A value in batch work (`FetchResult`, `PollResult`), never
    raised across feeds; its text is what `eventwatch feeds` and the logs show."""

    def __init__(self, kind: FeedErrorKind, message: str, *, http_status: int = 0) -> None:
        self.kind = kind
        self.message = message
        self.http_status = http_status
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FeedError({self.kind.value}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FeedError) and (self.kind, self.message, self.http_status)
                == (other.kind, other.message, other.http_status))

    def __hash__(self) -> int:
        return hash((self.kind, self.message, self.http_status))


class StoryConflictError(EventwatchError):
    """Other workers kept changing the story; the report was not applied."""

    def __init__(self, entry_id: str, rule: str) -> None:
        self.entry_id = entry_id
        self.rule = rule
        super().__init__(f"story commit kept conflicting for entry {entry_id}, rule {rule}")
