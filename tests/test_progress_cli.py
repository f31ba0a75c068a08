"""Long CLI operations show progress on a terminal, and only there (issue 7 §2):
`detect` over a JSONL archive, `run --once` polling many feeds."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.articles import ARTICLES
from tests.conftest import ROOT


def _run(args: list[str], *, stdin: str, tty: bool, data_dir: Path) -> tuple[str, str]:
    """Run `python -m bot ARGS`: stdout is a pipe; stderr a pseudo-terminal when `tty`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    env["EVENTWATCH_DATA_DIR"] = str(data_dir)
    env["COLUMNS"] = "100"
    master = slave = -1
    if tty:
        master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=slave if tty else subprocess.PIPE)
    err = b""
    try:
        if tty:
            os.close(slave)
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
            assert proc.stdout is not None
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                ready = select.select([master], [], [], 0.5)[0]
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # the child closed the terminal
                        break
                    if not chunk:
                        break
                    err += chunk
                elif proc.poll() is not None:
                    break
            out = proc.stdout.read()
            proc.stdout.close()
            proc.wait(timeout=60)
        else:
            out, err = proc.communicate(stdin.encode(), timeout=120)
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode("utf-8", "replace")
    return out.decode(), err.decode("utf-8", "replace")


def _archive(n: int) -> str:
    rows = [{"id": f"a{i}", "title": ARTICLES[i % len(ARTICLES)][0],
             "text": ARTICLES[i % len(ARTICLES)][1], "language": "en"} for i in range(n)]
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_detect_shows_progress_on_a_tty_only(tmp_path: Path) -> None:
    archive = _archive(60)
    out, err = _run(["detect", "--config", "config"], stdin=archive, tty=True,
                    data_dir=tmp_path)
    assert "detect" in err and "60 articles" in err, err
    lines = out.splitlines()
    assert len(lines) == 60 and all(json.loads(ln)["id"] for ln in lines)  # stdout clean

    out2, err2 = _run(["detect", "--config", "config"], stdin=archive, tty=False,
                      data_dir=tmp_path)
    assert out2 == out
    assert "articles" not in err2 and "\r" not in err2, err2


def test_run_once_shows_polling_progress_on_a_tty(tmp_path: Path) -> None:
    _, err = _run(["run", "--once", "--config", "examples/demo"], stdin="", tty=True,
                  data_dir=tmp_path / "a")
    assert "polling" in err and "2/2" in err, err
    _, err2 = _run(["run", "--once", "--config", "examples/demo"], stdin="", tty=False,
                   data_dir=tmp_path / "b")
    assert "polling" not in err2 and "2/2" not in err2, err2
