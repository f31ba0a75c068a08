"""Progress draws on a terminal and stays silent in pipes."""

from __future__ import annotations

import io
import os
import pty
import select

from bot.ops.progress import Progress


def test_silent_when_the_stream_is_not_a_tty() -> None:
    buf = io.StringIO()
    with Progress(10, buf, label="detect") as p:
        for _ in range(10):
            p.advance()
        p.note("line 10")
    assert p.count == 10
    assert not p.enabled
    assert buf.getvalue() == ""


def test_draws_on_a_tty() -> None:
    master, slave = pty.openpty()
    try:
        with open(slave, "w", encoding="utf-8", closefd=False) as tty:
            with Progress(4, tty, label="feeds", min_interval=0) as p:
                assert p.enabled
                for _ in range(4):
                    p.advance()
            tty.flush()
        out = b""
        # The pty hands the bytes over asynchronously: read until the end shows up.
        while b"4/4" not in out and select.select([master], [], [], 2.0)[0]:
            out += os.read(master, 65536)
    finally:
        os.close(master)
        os.close(slave)
    text = out.decode("utf-8", "replace")
    assert "feeds" in text
    assert "4/4" in text


def test_a_closed_stream_is_not_a_tty() -> None:
    buf = io.StringIO()
    buf.close()
    p = Progress(3, buf)
    p.advance(3)
    p.close()
    assert not p.enabled and p.count == 3
