"""Progress for long CLI operations (`detect` over an archive, first polls of many feeds).

A thin shell over tqdm that draws only when the stream is a terminal, so pipes, CI logs
and `detect`'s JSON output on stdout stay clean.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import IO

from tqdm import tqdm


class Progress:
    """`with Progress(total, label="feeds") as p: ... p.advance()` — silent off a TTY."""

    def __init__(
        self,
        total: int | None,
        stream: IO[str] | None = None,
        *,
        label: str = "",
        unit: str = "it",
        min_interval: float = 0.2,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self.stream)
        self.count = 0
        self._bar: tqdm[None] | None = None
        if self.enabled:
            self._bar = tqdm(
                total=total,
                file=self.stream,
                desc=label or None,
                unit=unit,
                mininterval=min_interval,
                leave=False,
            )

    def advance(self, n: int = 1) -> None:
        self.count += n
        if self._bar is not None:
            self._bar.update(n)

    def note(self, text: str) -> None:
        """Show a short status next to the bar (the feed or line being processed)."""
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
