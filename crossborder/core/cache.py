"""The shared cache (settings.CACHES with REDIS_URL): Django's Redis cache, which a Redis gone
away makes slower, never failing.

Everything the cache holds can be made again (the API's pages, the reports' answers, the API's
throttle counts, a writer's stickiness to the primary), so a Redis that does not answer must
not refuse a request: a read finds nothing, a write keeps nothing, and one warning a minute per
process says so, and the process asks Redis again only a few seconds later; /healthz answers
503 naming the cache (`ping`). Without this, every API request answered 500 from DRF's
throttle while Redis was down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds between two warnings of one process: a page reads the cache many times.
WARN_EVERY = 60
# Seconds a process goes on without Redis once it did not answer, before asking it again: a
# Redis that answers nothing until its timeout (settings.CACHES) would otherwise make every read
# of every page wait that long.
RETRY_AFTER = 5

Found = TypeVar("Found")


class SharedCache(RedisCache):
    """RedisCache whose reads and writes, when Redis does not answer, find and keep nothing."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._warned_at = 0.0
        self._resting_until = 0.0

    def _or(self, action: Callable[[], Found], instead: Found) -> Found:
        now = time.monotonic()
        if now < self._resting_until:
            return instead
        try:
            return action()
        except (RedisError, OSError) as error:
            self._resting_until = now + RETRY_AFTER
            if now - self._warned_at >= WARN_EVERY:
                self._warned_at = now
                logger.warning(
                    "the cache is not answering (%s): going on without it", type(error).__name__
                )
            return instead

    def ping(self) -> None:
        """Raise the error of a Redis that does not answer (crossborder.health)."""
        self._cache.get_client(write=True).ping()

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._or(lambda: super(SharedCache, self).get(key, default, version), default)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._or(lambda: super(SharedCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._or(lambda: super(SharedCache, self).has_key(key, version), False)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._or(lambda: super(SharedCache, self).set(key, value, timeout, version), None)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._or(
            lambda: super(SharedCache, self).set_many(data, timeout, version), list(data)
        )

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._or(lambda: super(SharedCache, self).add(key, value, timeout, version), False)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._or(lambda: super(SharedCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._or(lambda: super(SharedCache, self).delete(key, version), False)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._or(lambda: super(SharedCache, self).delete_many(keys, version), None)
