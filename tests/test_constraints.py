"""constraints.txt pins every runtime dependency, transitively, and nothing else.

Regenerate it after changing dependencies (from the project's virtualenv, with the
project installed):

    python tests/test_constraints.py > constraints.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
HEADER = """\
# Pins for every runtime dependency of eventwatch, direct and transitive, at the
# versions the project is tested with. Install with:  pip install -c constraints.txt .
# Regenerate (in the project's virtualenv):  python tests/test_constraints.py > constraints.txt
"""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wanted(req: Requirement, extras: frozenset[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": e}) for e in (extras or {""}))


def runtime_closure() -> dict[str, str]:
    """Normalised name → installed version, for pyproject's dependencies and theirs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    todo = [Requirement(r) for r in project["project"]["dependencies"]]
    todo = [r for r in todo if _wanted(r, frozenset())]
    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req = todo.pop()
        extras = frozenset(req.extras)
        if (_norm(req.name), extras) in seen:
            continue
        seen.add((_norm(req.name), extras))
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError as exc:
            raise RuntimeError(f"{req.name} is a dependency but is not installed: "
                               "pip install -c constraints.txt -e '.[test]'") from exc
        pins[_norm(dist.metadata["Name"])] = dist.version
        for spec in dist.requires or ():
            sub = Requirement(spec)
            if _wanted(sub, extras):
                todo.append(sub)
    return pins


def render(pins: dict[str, str]) -> str:
    return HEADER + "".join(f"{name}=={pins[name]}\n" for name in sorted(pins))


def _pinned() -> dict[str, str]:
    out = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[_norm(name)] = version
    return out


def test_every_runtime_dependency_is_pinned_at_the_installed_version() -> None:
    pinned, closure = _pinned(), runtime_closure()
    missing = sorted(set(closure) - set(pinned))
    assert not missing, f"not pinned in constraints.txt: {missing} (see the docstring)"
    stale = {n: (pinned[n], v) for n, v in closure.items() if pinned[n] != v}
    assert not stale, f"constraints.txt pin != installed version: {stale}"


def test_nothing_but_runtime_dependencies_is_pinned() -> None:
    extra = sorted(set(_pinned()) - set(runtime_closure()))
    assert not extra, f"pinned but not a runtime dependency: {extra}"
    assert "pytest" not in _pinned()


def test_every_line_is_an_exact_pin() -> None:
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!_-]+", line), line


if __name__ == "__main__":
    sys.stdout.write(render(runtime_closure()))
