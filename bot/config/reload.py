"""Hot reload: watch the config directory and the rule paths, reload on a change.

watchfiles (`awatch`) already groups a burst of file events (an editor's save is often
write + rename + chmod) into one batch: `debounce` is how long it waits for quiet.
The watcher only says *that* something changed; `Eventwatch.reload_and_report()`
builds the new config and swaps it whole, or keeps the old one and reports why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from watchfiles import Change, awatch

from bot.config.loader import Config

log = logging.getLogger(__name__)

CONFIG_SUFFIXES = (".yaml", ".yml")


def watched_paths(config: Config) -> tuple[Path, ...]:
    """The config directory and every rule path outside it (files or directories)."""
    root = config.directory.resolve()
    paths: list[Path] = [root]
    for entry in config.settings.rule_paths:
        target = (root / entry).resolve()
        if not target.exists() or target == root or target.is_relative_to(root):
            continue
        paths.append(target)
    return tuple(dict.fromkeys(paths))


def _is_config_file(change: Change, path: str) -> bool:
    return path.endswith(CONFIG_SUFFIXES)


class ConfigWatcher:
    """Calls `on_change()` once per burst of changes to YAML files under `paths()`.

    `paths` is asked again after each reload, so a reload that changes `rule_paths`
    moves the watch with it.
    """

    def __init__(self, paths: Callable[[], Sequence[Path]],
                 on_change: Callable[[], Awaitable[object]], *,
                 debounce: float = 0.5) -> None:
        self.paths = paths
        self.on_change = on_change
        self.debounce = debounce
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="config-watcher")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            task, self._task = self._task, None
            try:
                await asyncio.wait_for(task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()

    async def run(self) -> None:
        while not self._stop.is_set():
            paths = tuple(self.paths())
            failed = False
            try:
                async for changes in awatch(
                    *paths, watch_filter=_is_config_file, stop_event=self._stop,
                    debounce=int(self.debounce * 1000), step=50, recursive=True,
                ):
                    log.info("config files changed",
                             extra={"files": sorted({p for _, p in changes})[:10]})
                    try:
                        await self.on_change()
                    except Exception:
                        log.exception("reload after a file change failed")
                    if tuple(self.paths()) != paths:
                        break  # rule_paths changed: watch the new set
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. a watched directory vanished: try again shortly
                log.warning("config watcher failed; retrying", exc_info=True)
                failed = True
            if failed and not self._stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=1.0)
