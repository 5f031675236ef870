"""A per-site lock in Redis, so two workers never crawl the same site at once.

SET key token NX PX ttl takes it; a thread renews it every third of the ttl while the crawl runs
(only if the value is still our token); release deletes it only if it is still ours. A worker
that dies stops renewing, so its lock ends by itself within one ttl. If renewing fails for a
whole ttl (Redis unreachable, or the key gone), `lost` is set and the crawl must stop, since
another worker may take the site from then on.
"""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class SiteLock:
    def __init__(self, client, key: str, token: str, ttl: float):
        self.client = client
        self.key = key
        self.token = token
        self.ttl = ttl
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._renewed_at = 0.0

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    def acquire(self) -> bool:
        taken = bool(self.client.set(self.key, self.token, nx=True, px=self._ttl_ms))
        if taken:
            self._renewed_at = time.monotonic()
        return taken

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def renew(self) -> bool:
        """Extend the lock if it is still ours."""
        return bool(self.client.eval(_RENEW, 1, self.key, self.token, self._ttl_ms))

    def release(self) -> bool:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            return bool(self.client.eval(_RELEASE, 1, self.key, self.token))
        except Exception:  # noqa: BLE001 - an unreleased lock expires by itself within one ttl
            log.warning("could not release %s; it expires within %.0fs", self.key, self.ttl, exc_info=True)
            return False

    def start_renewing(self) -> None:
        self._thread = threading.Thread(target=self._renew_loop, name=f"renew {self.key}", daemon=True)
        self._thread.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                if self.renew():
                    self._renewed_at = time.monotonic()
                    continue
                log.error("lock %s is no longer ours", self.key)
                self.lost.set()
                return
            except Exception:  # noqa: BLE001 - Redis may come back before the lock runs out
                log.warning("could not renew %s", self.key, exc_info=True)
                if time.monotonic() - self._renewed_at >= self.ttl:
                    self.lost.set()
                    return
