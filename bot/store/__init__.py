"""Redis storage: connection, and every key eventwatch uses (keys.py)."""

from bot.store.keys import Keys
from bot.store.redis import RedisHandle, open_redis

__all__ = ["Keys", "RedisHandle", "open_redis"]
