"""Add one feed to a feeds.yaml without touching anything else in it.

The file is edited as text, not dumped again from data: every comment, blank line,
quote and the order of keys stay as they were. PyYAML's node positions say where the
`feeds:` list ends and how its items are written; the new item is written the same way
(a one-line `{id: ..., url: ...}` mapping, or a block mapping) right after the last one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import yaml


def _scalar(value: str) -> str:
    """A YAML scalar: bare when it is plainly safe (ids, languages), else double-quoted
    (a JSON string is a valid YAML double-quoted scalar)."""
    if value and all(c.isascii() and (c.isalnum() or c in "-_") for c in value) and \
            not value[0].isdigit() and value.lower() not in {"yes", "no", "on", "off",
                                                             "true", "false", "null"}:
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow(item: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in item.items()) + "}"


def _line_end(text: str, offset: int) -> int:
    """The offset just after the newline of the line that holds `offset`."""
    end = text.find("\n", offset)
    return len(text) if end < 0 else end + 1


def append_feed(text: str, item: Mapping[str, str], *, comment: str | None = None) -> str:
    """`text` with `item` appended to its `feeds:` list; `comment` goes above it.

    Raises ValueError when the file's top level is not a mapping or `feeds` is not a list.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.replace("\r\n", "\n")
    root = yaml.compose(body, Loader=yaml.SafeLoader) if body.strip() else None
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise ValueError("the top level of feeds.yaml is not a mapping")
    value: yaml.Node | None = None
    key_node: yaml.Node | None = None
    for k, v in root.value if root is not None else ():
        if isinstance(k, yaml.ScalarNode) and k.value == "feeds":
            key_node, value = k, v
    note = f"# {comment}\n" if comment else ""
    if key_node is None or value is None:
        sep = "" if not body or body.endswith("\n") else "\n"
        out = f"{body}{sep}feeds:\n{_indent(note, '  ')}  - {_flow(item)}\n"
    elif isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
        at = _line_end(body, key_node.end_mark.index)
        head = body[:at] if body[:at].endswith("\n") else body[:at] + "\n"
        out = head + _indent(note, "  ") + f"  - {_flow(item)}\n" + body[at:]
    elif not isinstance(value, yaml.SequenceNode):
        raise ValueError("feeds in feeds.yaml is not a list")
    elif value.flow_style:
        close = value.end_mark.index - 1  # the "]"
        if not value.value:
            start = value.start_mark.index
            out = (body[:start].rstrip(" ") + "\n" + _indent(note, "  ")
                   + f"  - {_flow(item)}" + body[close + 1:])
        else:
            out = body[:close].rstrip() + f", {_flow(item)}" + body[close:]
    else:
        out = _append_block(body, value, item, note)
    return out.replace("\n", newline)


def _indent(text: str, prefix: str) -> str:
    return "".join(prefix + line + "\n" for line in text.splitlines())


def _append_block(body: str, seq: yaml.SequenceNode, item: Mapping[str, str],
                  note: str) -> str:
    last = seq.value[-1] if seq.value else None
    dash = _dash_column(body, seq)
    pad = " " * dash
    if isinstance(last, yaml.MappingNode) and not last.flow_style and last.value:
        inner = " " * last.start_mark.column
        first, *rest = item.items()
        lines = [f"{pad}- {first[0]}: {_scalar(first[1])}"]
        lines += [f"{inner}{k}: {_scalar(v)}" for k, v in rest]
        new = "\n".join(lines) + "\n"
    else:
        new = f"{pad}- {_flow(item)}\n"
    at = _line_end(body, _content_end(last) if last is not None else seq.start_mark.index)
    head = body[:at] if body[:at].endswith("\n") else body[:at] + "\n"
    return head + _indent(note, pad) + new + body[at:]


def _content_end(node: yaml.Node) -> int:
    """Where the text of a node ends: for a block collection, where its last scalar ends
    (its own end mark lies past any comments that follow it)."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _content_end(node.value[-1])
    return int(node.end_mark.index)


def _dash_column(body: str, seq: yaml.SequenceNode) -> int:
    """The column of the items' "-" (the sequence's own start mark sits on the first)."""
    return seq.start_mark.column if seq.value else 2
