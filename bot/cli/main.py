"""The `eventwatch` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot import __version__
from bot.config.loader import Config, load_config
from bot.config.settings import Env
from bot.errors import ConfigErrors

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _parser(env: Env) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventwatch",
        description="Watch news feeds for serious events and alert Telegram subscribers.",
    )
    parser.add_argument("--version", action="version", version=f"eventwatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--config", type=Path, default=env.config_dir, metavar="DIR",
            help=f"config directory (default: $EVENTWATCH_CONFIG or ./config: {env.config_dir})",
        )
        return p

    run = with_config(sub.add_parser("run", help="poll feeds and deliver alerts"))
    run.add_argument("--once", action="store_true",
                     help="poll every feed once, deliver everything, then exit")
    run.add_argument("--role", choices=("all", "poller", "sender", "bot", "worker"),
                     default="all",
                     help="which part of the work this process does: all, poller, sender, "
                     "bot (answers Telegram), worker (poller + sender) (default: all)")

    with_config(sub.add_parser("check", help="validate settings, feeds and rules"))

    detect = with_config(sub.add_parser(
        "detect", help="classify JSON Lines articles from stdin with the rules"))
    detect.add_argument("--explain", action="store_true",
                        help="show which conditions matched or failed, per rule")
    detect.add_argument("--countries", metavar="all|CC,CC",
                        help="override the watch list (e.g. all, or KZ,KG)")
    detect.add_argument("--file", type=Path, metavar="ARTICLE.txt",
                        help="classify one plain-text article instead of stdin")

    backtest = with_config(sub.add_parser(
        "backtest", help="replay rules over the archived entries: what would have fired"))
    backtest.add_argument("--rules", type=Path, action="append", default=[],
                          metavar="DIR|FILE",
                          help="rule files to try (repeatable; default: the installed rules)")
    backtest.add_argument("--since", metavar="7d",
                          help="how far back: 7d, 12h, 30m, or an ISO date "
                          "(default: the whole archive window)")
    backtest.add_argument("--explain", action="store_true",
                          help="show why each hit (and each lost hit) fired or not")
    backtest.add_argument("--json", action="store_true", dest="as_json",
                          help="JSON Lines: summary, stories, hits, lost hits, counts")

    sub.add_parser("schema", help="print the JSON Schema of rule files")
    feeds = with_config(sub.add_parser(
        "feeds", help="show the health of each feed; `feeds add URL` adds one"))
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="[add]")
    add = feeds_sub.add_parser(
        "add", help="find a site's feed (or take a feed URL), check it, add it to feeds.yaml")
    add.add_argument("url", help="a page of the site, or the feed itself")
    add.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                     help="config directory (as for `eventwatch feeds`)")
    add.add_argument("--id", dest="feed_id", metavar="ID",
                     help="the feed's id (default: from the site's name and the language)")
    add.add_argument("--name", help="the name shown in alerts (default: the feed's title)")
    add.add_argument("--language", metavar="xx",
                     help="two-letter language (default: as the feed declares it)")
    add.add_argument("--allow-private", action="store_true",
                     help="allow a private, loopback or link-local address (a feed on your "
                     "own network)")
    with_config(sub.add_parser(
        "same-story", help="judge JSON Lines article pairs: same story or not"))
    return parser


def _load(directory: Path, stderr: TextIO, *, run_examples: bool = False) -> Config | None:
    try:
        return load_config(directory, run_examples=run_examples)
    except ConfigErrors as exc:
        for error in exc.errors:
            print(error, file=stderr)
        return None


def _countries(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    if value.strip().lower() == "all":
        return frozenset({"*"})
    return frozenset(c.strip().upper() for c in value.split(",") if c.strip())


def _relog(old: Config, new: Config) -> None:
    """Logging is configured here only: a reload that changes it comes back here."""
    if new.settings.logging != old.settings.logging:
        from bot.ops.logs import configure_logging

        configure_logging(new.settings.logging.level, new.settings.logging.json_format)


def main(argv: Sequence[str] | None = None) -> int:
    env = Env.from_environ()
    args = _parser(env).parse_args(argv)
    stdout, stderr = sys.stdout, sys.stderr

    if args.command == "schema":
        from bot.cli.detect import print_schema

        return print_schema(stdout)

    config = _load(args.config, stderr, run_examples=args.command == "check")
    if config is None:
        return EXIT_ERROR

    from bot.ops.logs import configure_logging

    configure_logging(config.settings.logging.level, config.settings.logging.json_format)

    if args.command == "check":
        print(f"OK: {len(config.feeds)} feeds, {len(config.rules.rule_ids)} rules", file=stdout)
        return EXIT_OK
    if args.command == "detect":
        from bot.cli.detect import run_detect

        return run_detect(
            config.rules, sys.stdin, stdout, stderr,
            explain=args.explain, countries=_countries(args.countries), file=args.file,
        )
    if args.command == "backtest":
        from bot.cli.backtest import run_backtest_command

        return asyncio.run(run_backtest_command(
            env, config, stdout, stderr, rules=args.rules, since=args.since,
            explain=args.explain, as_json=args.as_json))
    if args.command == "same-story":
        from bot.cli.samestory import run_same_story

        return run_same_story(config, sys.stdin, stdout, stderr)
    if args.command == "feeds" and args.feeds_command == "add":
        from bot.cli.feeds import add_feed

        return asyncio.run(add_feed(
            config, args.url, stdout, stderr, feed_id=args.feed_id, name=args.name,
            language=args.language, allow_private=args.allow_private))
    if args.command == "feeds":
        from bot.cli.feeds import show_feeds

        return asyncio.run(show_feeds(env, config, stdout))
    if args.command == "run":
        from bot.app import run

        return run(env, config, once=args.once, role=args.role, on_reload=[_relog])
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
