"""Checks behind docs/security.md: config files cannot run code, the code has no eval or
unsafe deserialisation, and secrets stay out of reprs."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bot.config import yamlsource
from bot.config.settings import Env
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "detectors").rglob("*.py")])

_PLAIN = (dict, list, str, int, float, bool, type(None), dt.date, dt.datetime)


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN)


@pytest.mark.parametrize(
    "template",
    [
        'a: !!python/object/apply:os.system ["touch {marker}"]\n',
        '- !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n',
        'a: !!python/object/apply:subprocess.call [["touch", "{marker}"]]\n',
        'a: !!python/name:os.system\n',
        'a: !!python/module:os\n',
    ],
)
def test_yaml_tags_never_construct_python_objects(tmp_path: Path, template: str) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "rule.yaml"
    path.write_text(template.format(marker=marker), encoding="utf-8")
    try:
        loaded = yamlsource.load(path)
    except ConfigError:
        pass  # refused: fine
    else:
        assert _plain(loaded.data), loaded.data  # at worst the tag is ignored
    assert not marker.exists()


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                out.append((f.id, node))
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                out.append((f"{f.value.id}.{f.attr}", node))
    return out


_FORBIDDEN_CALLS = {
    "eval", "exec", "yaml.load", "yaml.unsafe_load", "yaml.full_load", "yaml.load_all",
    "pickle.load", "pickle.loads", "marshal.loads", "os.system", "os.popen",
}
_FORBIDDEN_IMPORTS = {"pickle", "marshal", "shelve", "dill"}
_FORBIDDEN_NAMES = {"UnsafeLoader", "FullLoader", "Loader"}  # yaml.Loader etc.


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_eval_or_unsafe_deserialisation(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for name, call in _calls(tree):
        assert name not in _FORBIDDEN_CALLS, f"{path}:{call.lineno}: {name}()"
        for kw in call.keywords:
            if kw.arg == "shell":
                assert not (isinstance(kw.value, ast.Constant) and kw.value.value), \
                    f"{path}:{call.lineno}: shell=True"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]}
        else:
            names = set()
        assert not names & _FORBIDDEN_IMPORTS, f"{path}: imports {names}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "yaml":
            assert node.attr not in _FORBIDDEN_NAMES, f"{path}:{node.lineno}: yaml.{node.attr}"


def test_the_scan_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import yaml\nyaml.load(open('x'), Loader=yaml.Loader)\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        test_no_eval_or_unsafe_deserialisation(bad)


def test_env_repr_hides_the_token_and_the_redis_url() -> None:
    env = Env.from_environ({
        "EVENTWATCH_TELEGRAM_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-_",
        "EVENTWATCH_REDIS_URL": "redis://:hunter2hunter2@redis:6379/0",
    })
    shown = repr(env) + str(env) + f"{env}"
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in shown
    assert "hunter2hunter2" not in shown
