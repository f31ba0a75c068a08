"""Entry identity and version.

The key says *which* item this is and must survive reordering and edits: the guid,
else the canonical link, else a hash of title and date. The content hash says *which
version* of it we saw; it covers only what a reader sees (title, text, link), never
volatile fields such as `updated`, comment counts or the link, so that a re-serialised feed
does not look edited.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

    Prefixed by what it came from: `g` guid, `u` canonical link, `h` title+date.
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
