"""One error tree for the application; every error carries its data."""

from __future__ import annotations


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


class StoryConflictError(EventwatchError):
    """Other workers kept changing the story; the report was not applied."""

    def __init__(self, entry_id: str, rule: str) -> None:
        self.entry_id = entry_id
        self.rule = rule
        super().__init__(f"story commit kept conflicting for entry {entry_id}, rule {rule}")
