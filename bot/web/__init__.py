"""The operator pages: rule studio, stories, feeds and a chart, on the metrics server.

Opt-in (`web.enabled`), behind the token in EVENTWATCH_WEB_TOKEN, read-only: they read
the config, the archive and Redis, and never write the config. `WebPages.install`
adds their routes to the app that serves /metrics and /healthz.
"""

from bot.web.site import WebPages
from bot.web.types import WebServices

__all__ = ["WebPages", "WebServices"]
