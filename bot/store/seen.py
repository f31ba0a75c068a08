"""One field of a feed's seen set (`Keys.seen_set`) as a typed value, and its codec.

The hash maps an entry key to "content_hash hour" or "content_hash hour tag": the
version of the entry last handled, the hour (epoch hours) it was last written, and,
for an entry keyed by its guid alone, a short tag of the link the guid belongs to
(`bot.feeds.identity.link_tag`). Values written before tags existed have none.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.redis import text


@dataclass(frozen=True, slots=True)
class SeenRecord:
    content_hash: str
    hour: int
    tag: str | None = None

    @classmethod
    def decode(cls, raw: object) -> SeenRecord:
        stored_hash, _, rest = text(raw).partition(" ")
        hour, _, tag = rest.partition(" ")
        try:
            when = int(hour or 0)
        except ValueError:
            when = 0
        return cls(stored_hash, when, tag or None)

    def encode(self) -> str:
        base = f"{self.content_hash} {self.hour}"
        return f"{base} {self.tag}" if self.tag else base
