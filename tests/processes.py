"""Run `python -m bot run` as a real subprocess, and wait for its log lines."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT


@dataclass
class Process:
    """An `eventwatch run` subprocess; its stderr (the log) is collected line by line."""

    proc: asyncio.subprocess.Process
    name: str = ""
    lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            self.lines.append(line.decode("utf-8", "replace"))
            self._changed.set()
        self._changed.set()

    def log(self) -> str:
        return "".join(self.lines)

    async def wait_for(self, text: str, within: float = 60.0) -> None:
        """Until a log line contains `text` (fails if the process exits first)."""
        async with asyncio.timeout(within):
            while True:
                if any(text in ln for ln in self.lines):
                    return
                if self.proc.returncode is not None and self._reader is not None \
                        and self._reader.done():
                    raise AssertionError(f"{self.name} exited:\n{self.log()}")
                self._changed.clear()
                await self._changed.wait()

    async def stop(self, sig: int = signal.SIGTERM, grace: float = 30.0) -> int:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._reader is not None:
            await self._reader
        return self.proc.returncode or 0


async def spawn(*args: str, env: Mapping[str, str], name: str = "") -> Process:
    """`python -m bot ARGS` with exactly `env` added to a clean EVENTWATCH_* environment."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    full.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=full,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    p = Process(proc, name=name or " ".join(args))
    p._reader = asyncio.create_task(p._read())
    return p


def eventwatch_env(*, redis_url: str, prefix: str, token: str, api_url: str,
                   data_dir: Path) -> dict[str, str]:
    return {
        "EVENTWATCH_REDIS_URL": redis_url,
        "EVENTWATCH_REDIS_PREFIX": prefix,
        "EVENTWATCH_TELEGRAM_TOKEN": token,
        "EVENTWATCH_TELEGRAM_API_URL": api_url,
        "EVENTWATCH_DATA_DIR": str(data_dir),
    }
