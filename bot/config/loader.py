"""Load and validate one config directory: settings.yaml, feeds.yaml, rules/*.yaml.

Every problem becomes a `ConfigError(path, line, key, message)`; all of them are
collected so that `eventwatch check` can show them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.config import yamlsource
from bot.config.settings import FeedsFile, FeedSpec, Settings
from bot.errors import ConfigError, ConfigErrors
from detectors import compile_rules
from detectors.engine import RuleSet
from detectors.errors import RuleErrors
from detectors.spec import RuleFile

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Config:
    directory: Path
    settings: Settings
    feeds: tuple[FeedSpec, ...]
    rules: RuleSet

    def feed(self, feed_id: str) -> FeedSpec | None:
        return next((f for f in self.feeds if f.id == feed_id), None)


def _validate(
    source: yamlsource.LocatedYAML, model: type[M], errors: list[ConfigError]
) -> M | None:
    data: Any = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        errors.append(source.error((), "expected a mapping at the top level"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(source.validation_errors(exc, model))
        return None


def _load(
    path: Path, errors: list[ConfigError], *, required: bool
) -> yamlsource.LocatedYAML | None:
    if not path.exists():
        if required:
            errors.append(ConfigError(str(path), None, "", "file not found"))
        return None
    try:
        return yamlsource.load(path)
    except ConfigError as exc:
        errors.append(exc)
        return None


@dataclass(frozen=True, slots=True)
class RuleText:
    """A rule file given as text (the rule studio's editor); `name` is shown in errors."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class LoadedRules:
    """Rule files loaded and compiled. `rules` is None when any file or the set did not
    compile; with `run_examples`, failing inline examples are errors beside a compiled set."""

    rules: RuleSet | None
    errors: tuple[ConfigError, ...]


def load_rules(files: Sequence[Path | RuleText], *, watch: tuple[str, ...],
               run_examples: bool = False) -> LoadedRules:
    """Validate and compile rule files with exactly the errors of `eventwatch check`."""
    errors: list[ConfigError] = []
    sources: dict[str, yamlsource.LocatedYAML] = {}
    rule_files: list[tuple[str, RuleFile]] = []
    for file in files:
        if isinstance(file, RuleText):
            try:
                src: yamlsource.LocatedYAML | None = yamlsource.load(
                    Path(file.name), file.text, display=file.name)
            except ConfigError as exc:
                errors.append(exc)
                src = None
        else:
            src = _load(file, errors, required=True)
        if src is None:
            continue
        parsed = _validate(src, RuleFile, errors)
        if parsed is not None:
            sources[src.path] = src
            rule_files.append((src.path, parsed))
    if not rule_files:
        return LoadedRules(None, tuple(errors))
    broken = bool(errors)  # a partial set is not what was written: not usable
    rules: RuleSet | None = None
    try:
        rules = compile_rules(rule_files, watch=watch)
        if run_examples:
            _raise_rule_errors(rules.check_examples(), sources, errors)
    except RuleErrors as exc:
        _raise_rule_errors(exc.errors, sources, errors)
    return LoadedRules(None if broken else rules, tuple(errors))


def rule_files_at(target: Path) -> list[Path]:
    """A rule file, or the rule files (*.yaml, *.yml) of a directory, in name order."""
    if target.is_dir():
        return sorted(target.glob("*.yaml")) + sorted(target.glob("*.yml"))
    return [target] if target.is_file() else []


def load_config(directory: Path, *, run_examples: bool = False) -> Config:
    """Load, validate and compile a config directory, or raise ConfigErrors."""
    errors: list[ConfigError] = []
    if not directory.is_dir():
        raise ConfigErrors([ConfigError(str(directory), None, "", "config directory not found")])

    settings = Settings()
    settings_src = _load(directory / "settings.yaml", errors, required=False)
    if settings_src is not None:
        settings = _validate(settings_src, Settings, errors) or settings

    feeds: tuple[FeedSpec, ...] = ()
    feeds_src = _load(directory / "feeds.yaml", errors, required=True)
    if feeds_src is not None:
        parsed = _validate(feeds_src, FeedsFile, errors)
        if parsed is not None:
            feeds = _resolve_local(parsed.feeds, directory)
        errors.extend(_duplicate_ids(feeds_src, "feeds", "feed"))
        errors.extend(_below_floor(feeds_src, settings.poll.min_interval))

    loaded = load_rules(_rule_files(directory, settings, settings_src, errors),
                        watch=settings.watch, run_examples=run_examples)
    errors.extend(loaded.errors)
    rules = loaded.rules

    if errors or rules is None:
        raise ConfigErrors(errors)
    return Config(directory=directory, settings=settings, feeds=feeds, rules=rules)


def _raise_rule_errors(rule_errors: Any, sources: dict[str, yamlsource.LocatedYAML],
                       errors: list[ConfigError]) -> None:
    for err in rule_errors:
        src = sources.get(err.source)
        if src is None:
            errors.append(
                ConfigError(err.source, None, yamlsource.format_loc(err.loc), err.message))
        else:
            errors.append(src.error(err.loc, err.message))


def _duplicate_ids(src: yamlsource.LocatedYAML, section: str, what: str) -> list[ConfigError]:
    """Duplicate `id`s in a list, checked on the raw data so they show with other errors."""
    items = src.data.get(section) if isinstance(src.data, dict) else None
    seen: set[object] = set()
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        ident = item.get("id") if isinstance(item, dict) else None
        if ident is None:
            continue
        if ident in seen:
            out.append(src.error((section, i, "id"), f"duplicate {what} id {ident!r}"))
        seen.add(ident)
    return out


def _below_floor(src: yamlsource.LocatedYAML, floor: float) -> list[ConfigError]:
    """A feed's own interval may go below 30 s (tests, demos) but not below poll.min_interval."""
    items = src.data.get("feeds") if isinstance(src.data, dict) else None
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        value = item.get("interval") if isinstance(item, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < floor:
            out.append(src.error(("feeds", i, "interval"),
                                 f"below poll.min_interval ({floor:g} s)"))
    return out


def _rule_files(directory: Path, settings: Settings, src: yamlsource.LocatedYAML | None,
                errors: list[ConfigError]) -> list[Path]:
    paths: list[Path] = []
    for i, entry in enumerate(settings.rule_paths):
        target = (directory / entry).resolve()
        found = rule_files_at(target)
        if not found:
            where = (src.path, src.line(("rule_paths", i))) if src else (str(target), None)
            errors.append(ConfigError(where[0], where[1], f"rule_paths[{i}]",
                                      f"no rule files (*.yaml) at {target}"))
        paths.extend(found)
    return paths


def _resolve_local(feeds: tuple[FeedSpec, ...], directory: Path) -> tuple[FeedSpec, ...]:
    """Local feed paths are relative to the config directory."""
    out = []
    for feed in feeds:
        if feed.is_local:
            raw = feed.url.removeprefix("file://")
            path = Path(raw) if Path(raw).is_absolute() else (directory / raw).resolve()
            feed = feed.model_copy(update={"url": str(path)})
        out.append(feed)
    return tuple(out)
