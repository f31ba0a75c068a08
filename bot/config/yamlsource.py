"""Safe YAML loading that remembers the line of every key and item.

Validation errors carry a location path (pydantic's ``loc``); `LocatedYAML.line`
turns such a path back into the line a user has to edit.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, get_args

import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import ConfigError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LocatedYAML:
    path: str
    data: Any
    lines: dict[Loc, int]  # location path → 1-based line

    def line(self, loc: Iterable[str | int]) -> int:
        """The line of the deepest known prefix of `loc`."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def error(self, loc: Iterable[str | int], message: str) -> ConfigError:
        loc = tuple(loc)
        return ConfigError(self.path, self.line(loc), format_loc(loc), message)

    def validation_errors(
        self, exc: ValidationError, model: type[BaseModel] | None = None
    ) -> list[ConfigError]:
        errors = []
        for item in exc.errors(include_url=False):
            loc = tuple(p for p in item["loc"] if not _is_union_tag(p))
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                message = "unknown key"
                known = _known_keys(model, loc[:-1]) if model is not None else ()
                close = difflib.get_close_matches(str(loc[-1]), known, n=1)
                if close:
                    message += f" (did you mean {close[0]!r}?)"
            errors.append(self.error(loc, message))
        return errors


def _known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a model accepts at `loc`: follows nested models, lists and optionals."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            field = next((f for f in current.model_fields.values() if f.alias == part), None) \
                if _is_model(current) else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    if not _is_model(current):
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if _is_model(annotation):
        return cast(type[BaseModel], annotation)
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: str | int) -> bool:
    # pydantic puts the chosen union member's type name into loc ("function-after[...]")
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "list"})


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Loader(yaml.SafeLoader):
    pass


def load(path: Path, text: str | None = None, *, display: str | None = None) -> LocatedYAML:
    """Parse one YAML file safely; raise ConfigError with the line on any syntax error."""
    name = display or str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(name, None, "", f"cannot read: {exc}") from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(name, line, "", f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(name, None, "", f"invalid YAML: {exc}") from exc
    lines: dict[Loc, int] = {}
    if node is None:
        return LocatedYAML(name, None, {(): 1})
    data = _construct(node, (), lines, name)
    return LocatedYAML(name, data, lines)


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
yaml.SafeLoader.__init__(_constructor, "")


def _construct(node: yaml.Node, loc: Loc, lines: dict[Loc, int], name: str) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise ConfigError(name, node.start_mark.line + 1, format_loc(loc),
                          f"unsupported YAML tag {node.tag!r}")
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        _constructor.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = _constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise ConfigError(name, key_node.start_mark.line + 1, format_loc(loc),
                                  "mapping keys must be scalars")
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise ConfigError(name, key_node.start_mark.line + 1,
                                  format_loc((*loc, key)), "duplicate key")
            child = (*loc, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, child, lines, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*loc, i), lines, name) for i, item in enumerate(node.value)]
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise ConfigError(name, node.start_mark.line + 1, format_loc(loc), str(exc)) from exc
