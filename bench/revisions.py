"""Another git revision of this repository, for benches that compare in one run.

`resolve` names a revision's commit before anything is measured; `tree_of` extracts that
commit's files with `git archive` into a temporary directory, removed afterwards. A bench
then runs a child process with that tree first on `sys.path`, so the child imports the
revision's `detectors` (and `tests.cases`), not this tree's.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def resolve(rev: str, flag: str = "--against") -> str:
    """The short commit of git revision `rev`."""
    try:
        return git("rev-parse", "--verify", "--short", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{flag} {rev}: no such git revision ({exc.stderr.strip()})") from exc


@contextmanager
def tree_of(commit: str) -> Iterator[Path]:
    """The files of `commit` in a temporary directory (with room beside it for a child's
    input files: `tree.parent`)."""
    with tempfile.TemporaryDirectory(prefix="eventwatch-bench-") as tmp:
        tree, tar = Path(tmp) / "tree", Path(tmp) / "tree.tar"
        tree.mkdir()
        git("archive", "--format=tar", "-o", str(tar), commit)
        subprocess.run(["tar", "-xf", str(tar), "-C", str(tree)], check=True)
        yield tree
