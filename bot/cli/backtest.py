"""`eventwatch backtest`: what rules would have caught in the archived week.

    eventwatch backtest [--config DIR] [--rules DIR|FILE]... [--since 7d] [--explain] [--json]

`--rules` files are validated like `eventwatch check` (the same `path:line: key:
message` errors); a file that does not compile stops the command (exit 1), and
failing inline examples are reported but the backtest still runs (exit 1 at the end,
as `check` would fail). Without `--rules`, the installed rules are replayed on their
own. The archive is the config's Redis (EVENTWATCH_REDIS_URL, else the embedded one).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.archive import EntryArchive
from bot.backtest.report import records, render_text
from bot.backtest.run import parse_since, run_backtest
from bot.config.loader import Config, load_rules, rule_files_at
from bot.config.settings import Env
from bot.ops.progress import Progress
from bot.store import Keys, open_redis
from bot.store.keys import DEFAULT_PREFIX
from detectors.engine import RuleSet

EXIT_OK, EXIT_ERROR = 0, 1


def candidate_rules(config: Config, paths: list[Path], err: TextIO
                    ) -> tuple[RuleSet | None, bool]:
    """The rules to try and whether they are clean; errors go to `err` as `check` shows them."""
    files: list[Path] = []
    for path in paths:
        found = rule_files_at(path.resolve())  # shown as `check` shows them
        if not found:
            print(f"{path}:0: -: no rule files (*.yaml) here", file=err)
            return None, False
        files.extend(found)
    loaded = load_rules(files, watch=config.settings.watch, run_examples=True)
    for error in loaded.errors:
        print(error, file=err)
    return loaded.rules, not loaded.errors


async def run_backtest_command(
    env: Env, config: Config, out: TextIO, err: TextIO, *, rules: list[Path],
    since: str | None, explain: bool, as_json: bool,
) -> int:
    now = datetime.now(UTC)
    try:
        start = (parse_since(since, now=now) if since is not None else
                 datetime.fromtimestamp(now.timestamp() - config.settings.archive.window, UTC))
    except ValueError as exc:
        print(f"eventwatch: --since {exc}", file=err)
        return EXIT_ERROR
    clean = True
    installed: RuleSet | None = None
    tried = config.rules
    if rules:
        candidate, clean = candidate_rules(config, rules, err)
        if candidate is None:
            return EXIT_ERROR
        tried, installed = candidate, config.rules

    handle = await open_redis(env.redis_url, env.data_dir)
    try:
        archive = EntryArchive(handle.client, Keys(env.redis_prefix or DEFAULT_PREFIX),
                               lambda: config.settings.archive)
        total = await archive.count(start)
        with Progress(total, err, label="backtest", unit=" entries") as progress:
            result = await run_backtest(archive, tried, installed, config.settings.stories,
                                        since=start, explain=explain,
                                        progress=progress.advance)
    finally:
        await handle.close()

    if as_json:
        for record in records(result):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        if not result.entries:
            print("eventwatch: the archive holds no entries for this period (is "
                  "`archive.enabled` on, and has eventwatch run?)", file=err)
        out.write(render_text(result, explain=explain))
    return EXIT_OK if clean else EXIT_ERROR
