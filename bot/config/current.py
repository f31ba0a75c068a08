"""The config in force: one reference that a reload swaps whole.

Components never hold settings values; they take an accessor such as
`lambda: current().settings.poll` and read it when they act, so a reload takes effect
everywhere by replacing this one reference, and nothing in use is patched.
"""

from __future__ import annotations

from bot.config.loader import Config


class CurrentConfig:
    def __init__(self, config: Config) -> None:
        self._config = config

    def __call__(self) -> Config:
        return self._config

    def swap(self, config: Config) -> Config:
        """Put `config` in force; returns the one it replaces."""
        old, self._config = self._config, config
        return old
