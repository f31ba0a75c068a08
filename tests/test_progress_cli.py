"""Long CLI operations show progress on a terminal, and only there (issue 7 §2):
`detect` over a JSONL archive, `run --once` polling many feeds."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

from tests.articles import ARTICLES
from tests.conftest import ROOT


def _run(args: list[str], *, stdin: str, tty: bool, data_dir: Path) -> tuple[str, str]:
    """Run `python -m bot ARGS`: stdout is a pipe; stderr a 100-column pseudo-terminal
    when `tty`, else a pipe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    env["EVENTWATCH_DATA_DIR"] = str(data_dir)
    if not tty:
        result = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                                input=stdin, capture_output=True, text=True, timeout=120,
                                check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout, result.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    err = bytearray()

    def read() -> None:  # drain the terminal while the child runs (it may block on it)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            err.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        slave = -1
        reader.start()
        out, _ = proc.communicate(stdin.encode(), timeout=120)
        reader.join(10)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    return out.decode(), text


def _archive(n: int) -> str:
    rows = [{"id": f"a{i}", "title": ARTICLES[i % len(ARTICLES)][0],
             "text": ARTICLES[i % len(ARTICLES)][1], "language": "en"} for i in range(n)]
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_detect_shows_progress_on_a_tty_only(tmp_path: Path) -> None:
    archive = _archive(60)
    out, err = _run(["detect", "--config", "config"], stdin=archive, tty=True,
                    data_dir=tmp_path)
    assert "detect:" in err and " articles" in err, err
    lines = out.splitlines()
    assert len(lines) == 60 and all(json.loads(ln)["id"] for ln in lines)  # stdout clean

    out2, err2 = _run(["detect", "--config", "config"], stdin=archive, tty=False,
                      data_dir=tmp_path)
    assert out2 == out
    assert "articles" not in err2 and "\r" not in err2, err2


def test_run_once_shows_polling_progress_on_a_tty(tmp_path: Path) -> None:
    _, err = _run(["run", "--once", "--config", "examples/demo"], stdin="", tty=True,
                  data_dir=tmp_path / "a")
    assert "polling:" in err and "/2 [" in err, err
    # Off a terminal (tests/test_cli.py runs the same command with pipes) nothing is drawn:
    # Progress itself is checked for that in tests/test_progress.py.
