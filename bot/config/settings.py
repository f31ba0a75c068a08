"""Runtime settings (settings.yaml) and the environment.

Secrets and endpoints come only from the environment (`Env`); YAML holds behaviour.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator

from bot.urls import is_http_url


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Seconds = Annotated[float, Field(gt=0)]
Backfill = Annotated[float, Field(ge=0)] | Literal["all"]


class PollSettings(Section):
    interval: Annotated[float, Field(ge=30, le=3600)] = 300
    min_interval: Annotated[float, Field(ge=1)] = 30
    max_interval: Annotated[float, Field(ge=1)] = 3600
    concurrency: Annotated[int, Field(ge=1, le=1024)] = 64
    per_host: Annotated[int, Field(ge=1, le=64)] = 4
    connect_timeout: Seconds = 10
    timeout: Seconds = 30
    max_body: Annotated[int, Field(ge=1024)] = 5 * 1024 * 1024
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    max_backoff: Seconds = 6 * 3600
    dead_after: Annotated[int, Field(ge=1)] = 24
    seen_ttl: Seconds = 30 * 86400
    # On a feed's first poll, entries published within this many seconds still alert;
    # "all" alerts every entry (demos, backtests). Default: none, the first poll only marks seen.
    backfill: Backfill = 0
    jitter: Annotated[float, Field(ge=0, le=1)] = 1.0  # fraction of the interval
    # Article pages (full text) come from links in feed content: by default a page on a
    # private, loopback or link-local address is refused (SSRF). Tests and demos that
    # serve pages from 127.0.0.1 turn this on. Configured feeds are not affected.
    allow_private_pages: bool = False


class StorySettings(Section):
    window: Seconds = 48 * 3600
    edit_interval: Seconds = 600
    breaking_outlets: Annotated[int, Field(ge=2)] = 3
    breaking_window: Seconds = 1800
    # No longer read since issue 12 (the fitted judge decides, bot/stories/judge.py);
    # accepted so that existing settings files still load.
    similarity: Annotated[float, Field(gt=0, le=1)] = 0.3
    figure_tolerance: Annotated[float, Field(ge=0, le=1)] = 0.2
    # No longer read since issue 12 (time apart is one of the judge's facts).
    event_window: Seconds = 12 * 3600
    material_rise: Annotated[float, Field(gt=0)] = 0.5
    dedup_ttl: Seconds = 30 * 86400  # how long (entry, rule) is remembered as alerted


class RateLimits(Section):
    overall: Annotated[float, Field(gt=0)] = 30  # messages per second
    private: Annotated[float, Field(gt=0)] = 1  # per second per private chat
    group: Annotated[float, Field(gt=0)] = 20  # per minute per group or channel


class WebhookSettings(Section):
    """Take Telegram updates by webhook instead of long polling (the `bot`/`all` role).
    The secret token comes from EVENTWATCH_TELEGRAM_WEBHOOK_SECRET."""

    url: str  # the public HTTPS URL Telegram posts to; its path is the local route
    listen: str = "127.0.0.1"  # behind a TLS-terminating reverse proxy
    port: Annotated[int, Field(ge=0, le=65535)] = 8443

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("Telegram only posts to https:// URLs")
        HttpUrl(value)
        return value


class TelegramSettings(Section):
    admins: tuple[int, ...] = ()
    admin_chat: int | None = None
    channels: tuple[int | str, ...] = ()
    rate_limits: RateLimits = RateLimits()
    max_retry_after: Seconds = 3600
    # A reply to a user (command, button) not sent by then, after 429s, is logged and counted.
    reply_deadline: Seconds = 600
    link_preview: bool = True
    webhook: WebhookSettings | None = None  # None: long polling (getUpdates)


class MetricsSettings(Section):
    port: Annotated[int, Field(ge=0, le=65535)] | None = None
    host: str = "127.0.0.1"


class ArchiveSettings(Section):
    """The recent-entries archive that `eventwatch backtest` and the rule studio replay."""

    enabled: bool = True
    window: Annotated[float, Field(ge=3600, le=90 * 86400)] = 7 * 86400  # seconds kept
    # The oldest entries go first past this. Redis memory: about 0.5 KB per feed item,
    # 1.4 KB per full-text article (bench/archive.py), so at most ~25-70 MB by default.
    max_entries: Annotated[int, Field(ge=100, le=10_000_000)] = 50_000


class WebSettings(Section):
    """The operator pages (rule studio, stories, feeds, chart), served with /metrics on
    metrics.host:metrics.port; every page needs EVENTWATCH_WEB_TOKEN."""

    enabled: bool = False


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: Annotated[bool, Field(alias="json")] = False


class Settings(Section):
    watch: tuple[str, ...] = ("AM", "BY", "KZ", "KG", "RU", "TJ")
    # Rule files or directories of *.yaml, relative to the config directory.
    rule_paths: tuple[str, ...] = ("rules",)
    poll: PollSettings = PollSettings()
    stories: StorySettings = StorySettings()
    telegram: TelegramSettings = TelegramSettings()
    metrics: MetricsSettings = MetricsSettings()
    logging: LoggingSettings = LoggingSettings()
    archive: ArchiveSettings = ArchiveSettings()
    web: WebSettings = WebSettings()

    @field_validator("watch")
    @classmethod
    def _alpha2(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(v.upper() for v in value)
        for code in out:
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"not an ISO 3166-1 alpha-2 code: {code!r}")
        return out

    @field_validator("web")
    @classmethod
    def _served(cls, value: WebSettings, info: ValidationInfo) -> WebSettings:
        metrics = info.data.get("metrics")
        if value.enabled and isinstance(metrics, MetricsSettings) and metrics.port is None:
            raise ValueError("the pages are served with /metrics: set metrics.port too")
        return value


FeedId = Annotated[str, Field(pattern=r"^[a-z0-9_-]+$", max_length=64)]


class FeedSpec(Section):
    id: FeedId
    url: str
    name: str = ""
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = None
    # Below 30 s only for tests and demos: the effective floor is poll.min_interval.
    interval: Annotated[float, Field(ge=1, le=3600)] | None = None
    fulltext: bool = False
    backfill: Backfill | None = None  # overrides poll.backfill for this feed

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if is_http_url(value):
            HttpUrl(value)
            return value
        if "://" in value and not value.startswith("file://"):
            raise ValueError("only http(s) URLs or local file paths are accepted")
        return value

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def is_local(self) -> bool:
        return not is_http_url(self.url)


class FeedsFile(Section):
    feeds: tuple[FeedSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Env:
    """Everything eventwatch reads from the environment."""

    redis_url: str | None
    telegram_token: str | None
    telegram_api_url: str
    config_dir: Path
    data_dir: Path
    redis_prefix: str | None = None  # EVENTWATCH_REDIS_PREFIX: several deployments, one Redis
    telegram_webhook_secret: str | None = None  # EVENTWATCH_TELEGRAM_WEBHOOK_SECRET
    web_token: str | None = None  # EVENTWATCH_WEB_TOKEN: the operator pages' token

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Env:
        e = os.environ if environ is None else environ
        return cls(
            redis_url=e.get("EVENTWATCH_REDIS_URL") or None,
            telegram_token=e.get("EVENTWATCH_TELEGRAM_TOKEN") or None,
            telegram_api_url=(
                e.get("EVENTWATCH_TELEGRAM_API_URL") or "https://api.telegram.org"
            ).rstrip("/"),
            config_dir=Path(e.get("EVENTWATCH_CONFIG") or "config"),
            data_dir=Path(e.get("EVENTWATCH_DATA_DIR") or "data"),
            redis_prefix=e.get("EVENTWATCH_REDIS_PREFIX") or None,
            telegram_webhook_secret=e.get("EVENTWATCH_TELEGRAM_WEBHOOK_SECRET") or None,
            web_token=e.get("EVENTWATCH_WEB_TOKEN") or None,
        )

    def __repr__(self) -> str:  # never show the token
        token = "set" if self.telegram_token else "unset"
        return (f"Env(redis_url={'set' if self.redis_url else 'embedded'}, token={token}, "
                f"api={self.telegram_api_url!r}, config={self.config_dir}, data={self.data_dir})")
