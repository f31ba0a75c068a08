"""Every request the bot makes, checked against the machine-readable Bot API spec.

`BotApiSpec.check(method, params)` lists what real Telegram would refuse: an unknown
method or parameter, a required one missing, a value of the wrong type (objects and
arrays checked field by field), and the rules the docs state only in prose: callback_data
1–64 bytes, bot commands `[a-z0-9_]{1,32}` with a 1–256 character description, callback
answers ≤ 200 characters. (Text length after entity parsing is checked by the fake, which
parses the HTML.) The spec excerpt and its provenance are in tests/data/telegram/.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).parent / "data" / "telegram" / "botapi-spec.json"
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
SCALARS = frozenset({"Integer", "Float", "String", "Boolean", "True", "InputFile"})


def _scalar(t: str, v: Any) -> bool:
    number = isinstance(v, int | float) and not isinstance(v, bool)
    return {"Integer": number and float(v).is_integer(), "Float": number,
            "String": isinstance(v, str), "Boolean": isinstance(v, bool),
            "True": v is True, "InputFile": True}[t]


class BotApiSpec:
    def __init__(self, data: dict[str, Any]) -> None:
        self.methods = {name.lower(): m for name, m in data["methods"].items()}
        self.types: dict[str, Any] = data["types"]

    @staticmethod
    @cache
    def load() -> BotApiSpec:
        return BotApiSpec(json.loads(SPEC.read_text(encoding="utf-8")))

    def check(self, method: str, params: dict[str, Any]) -> list[str]:
        spec = self.methods.get(method.lower())
        if spec is None:
            return [f"{method}: no such method"]
        problems = self._fields(method, spec["fields"], params, top=True)
        if method.lower() == "answercallbackquery" and len(params.get("text") or "") > 200:
            problems.append(f"{method}.text: over 200 characters")
        if method.lower() == "setmycommands":
            problems += _commands(params.get("commands"))
        return problems

    def _fields(self, where: str, fields: list[dict[str, Any]], value: dict[str, Any], *,
                top: bool = False) -> list[str]:
        known = {f["name"]: f for f in fields}
        problems = [f"{where}.{k}: unknown parameter" for k in value if k not in known]
        for name, f in known.items():
            if name not in value or value[name] is None:
                if f["required"]:
                    problems.append(f"{where}.{name}: required, missing")
                continue
            problems += self._value(f"{where}.{name}", f["types"], value[name], top=top)
        if where.endswith("InlineKeyboardButton"):
            problems += _button(where, value)
        return problems

    def _value(self, where: str, types: list[str], value: Any, *, top: bool = False
               ) -> list[str]:
        best: list[str] | None = None
        for t in types:
            problems = self._one(where, t, value, top=top)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or [f"{where}: not {' or '.join(types)}"]

    def _one(self, where: str, t: str, value: Any, *, top: bool) -> list[str]:
        if t.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: not an array"]
            inner = t.removeprefix("Array of ")
            return [p for i, v in enumerate(value) for p in self._one(f"{where}[{i}]", inner, v,
                                                                      top=False)]
        if t in SCALARS:
            # A form-encoded string that looks like a number arrives decoded as one.
            ok = _scalar(t, value) or (top and t == "String" and isinstance(value, int | float))
            return [] if ok else [f"{where}: not {t} ({type(value).__name__})"]
        spec = self.types.get(t)
        if spec is None:
            return []  # a type outside the excerpt: not checked
        if not isinstance(value, dict):
            return [f"{where}: not a {t} object"]
        if "subtypes" in spec:
            return self._value(where, spec["subtypes"], value)
        return self._fields(f"{where}:{t}", spec.get("fields", []), value)


def _button(where: str, button: dict[str, Any]) -> list[str]:
    problems = []
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= 64:
        problems.append(f"{where}.callback_data: not 1-64 bytes")
    actions = [k for k in button if k not in {"text", "icon_custom_emoji_id", "style"}]
    if len(actions) != 1:
        problems.append(f"{where}: needs exactly one action field, has {actions}")
    return problems


def _commands(commands: Any) -> list[str]:
    problems = []
    if not isinstance(commands, list) or len(commands) > 100:
        return ["setMyCommands.commands: not a list of at most 100"]
    for c in commands:
        if not isinstance(c, dict):
            continue
        if not COMMAND.fullmatch(str(c.get("command", ""))):
            problems.append(f"setMyCommands: bad command name {c.get('command')!r}")
        if not 1 <= len(str(c.get("description", ""))) <= 256:
            problems.append(f"setMyCommands: {c.get('command')}: description not 1-256 chars")
    return problems
