"""Entry identity and version.

The key says *which* item this is and must survive reordering and edits: the guid,
else the canonical link, else a hash of title and date. The content hash says *which
version* of it we saw; it covers only what a reader sees (title, text), never
volatile fields such as `updated`, comment counts or the link, so that a re-serialised feed
does not look edited.

Repeated guids (issue 14). Badly built feeds give several stories one guid. Within
one body, entries are told apart by guid plus link, then by position (as Miniflux
does): the first link a guid is seen with keeps the guid alone as its key, so feeds
whose guids are fine keep the keys they always had; any other link gets guid plus
link (`linked_key`); repeats of the same guid and link with other words get their
position among those repeats (`position_key`). Only true repeats (same guid, same
link, same words) are dropped, and counted. To keep this stable across polls (a new
story may be prepended under the reused guid), the seen set stores beside a guid key
a tag of the link it belongs to, and `resolve_guid_keys` gives the guid key back to
that link on every poll; a later story under the same guid with another link is a new
entry, not an edit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.feeds.types import GuidLink
from bot.store.seen import SeenRecord
from bot.types import Entry

# Query parameters that only track the reader; they never change the resource.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "ga_", "hmb_", "oly_", "vero_")
_TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "igshid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "cmpid",
    "spm", "at_medium", "at_campaign", "rss", "from", "feed", "ito",
})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_WS = re.compile(r"\s+")


def _is_tracking(name: str) -> bool:
    n = name.lower()
    return n in _TRACKING or n.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, no default port, no tracking parameters, no fragment."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    try:
        host = (parts.hostname or "").rstrip(".")  # urlsplit lowercases it
        port = parts.port
    except ValueError:
        host, port = netloc.lower(), None
    else:
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
        keep_port = port is not None and _DEFAULT_PORTS.get(scheme) != str(port)
        netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if keep_port else "")
    query = parts.query
    if query:
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                 if not _is_tracking(k)]
        query = urlencode(pairs)
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, query, ""))


def _digest(*parts: str, size: int = 10) -> str:
    h = hashlib.blake2b(digest_size=size)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def entry_key(
    guid: str | None, link: str | None, title: str | None, published: datetime | None
) -> str:
    """Stable identity of an entry within its feed, short enough to keep many of.

    Prefixed by what it came from: `g` guid, `u` canonical link, `h` title+date. A
    repeated guid or link within one body is refined by `linked_key` (`l`) and
    `position_key` (`p`).
    """
    guid = (guid or "").strip()
    if guid:
        return "g" + _digest(guid)
    if link and link.strip():
        return "u" + _digest(canonical_url(link))
    stamp = published.isoformat() if published else ""
    return "h" + _digest(_WS.sub(" ", (title or "").strip().lower()), stamp)


def content_hash(title: str, text: str) -> str:
    """Version of an entry: the words a reader sees, whitespace normalised. The link
    is identity, not content (it churns with tracking parameters), so it stays out."""
    return _digest(" ".join(title.split()), " ".join(text.split()), size=8)


def linked_key(guid_key: str, link: str) -> str:
    """The key of a guid seen with another link than the one it belongs to."""
    return "l" + _digest(guid_key, canonical_url(link))


def position_key(base: str, position: int) -> str:
    """The key of the `position`-th (1, 2, ...) item that repeats `base` with other words."""
    return "p" + _digest(base, str(position))


def link_tag(link: str) -> str:
    """A short tag of a canonical link, stored beside a guid key (8 hex digits)."""
    return _digest(canonical_url(link), size=4)


@dataclass(frozen=True, slots=True)
class GuidKeys:
    """What `resolve_guid_keys` decided for one body."""

    keys: Mapping[str, str]  # the parser's key → the key the entry has across polls
    # Keys of entries that the identity before issue 14 dropped as repeats of a guid it
    # had seen: they were in the feed before, so the poller takes them as seen unless
    # they were published after the previous poll.
    inherited: frozenset[str] = frozenset()


def resolve_guid_keys(
    entries: Sequence[Entry],
    links: Mapping[str, GuidLink],
    seen: Mapping[str, SeenRecord],
) -> GuidKeys:
    """Give each guid back to the link it belongs to, from what the seen set says.

    `links` comes from the parser (`ParsedFeed.guid_links`); `seen` holds the stored
    records of every `guid_key` and `linked_key` in it. For each guid, in document order:
    an entry already keyed by guid plus link keeps that key; of the others, the guid key
    goes to the entry whose link tag is the stored one, else (same words under a changed
    link) to the one whose content hash is the stored one; an unknown guid goes to the
    first. A guid key stored before tags existed goes to the entry with the stored words,
    else to the first entry, which is what the old identity decided.
    """
    groups: dict[str, list[tuple[Entry, GuidLink]]] = {}
    for e in entries:
        link = links.get(e.key)
        if link is not None:
            groups.setdefault(link.guid_key, []).append((e, link))
    keys: dict[str, str] = {}
    inherited: set[str] = set()
    for guid_key, members in groups.items():
        rest = []
        for e, link in members:
            if link.linked_key in seen:
                keys[e.key] = link.linked_key
            else:
                rest.append((e, link))
        stored = seen.get(guid_key)
        owner: tuple[Entry, GuidLink] | None = None
        if stored is None:
            owner = rest[0] if rest else None
        elif stored.tag is not None:
            owner = next((m for m in rest if m[1].tag == stored.tag), None) or next(
                (m for m in rest if m[0].content_hash == stored.content_hash), None)
        elif rest:
            owner = next((m for m in rest if m[0].content_hash == stored.content_hash),
                         rest[0])
        for member in rest:
            e, link = member
            if member is owner:
                keys[e.key] = guid_key
            else:
                keys[e.key] = link.linked_key
                if stored is not None and stored.tag is None:
                    inherited.add(link.linked_key)
    return GuidKeys(keys, frozenset(inherited))
