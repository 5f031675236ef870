"""The distributed crawl's settings, read from the environment (the operator's configuration)."""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
# Sites a worker crawls at once (`govplans worker --concurrency`), all in its one crawl process. A
# site's crawl mostly waits (its own politeness: 2 requests at once, AutoThrottle), so one process
# holds many; with 16, 30 small farm sites took two rounds where `govplans crawl` takes one.
SITES_AT_ONCE = 32


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class DistributedConfig:
    # Where tasks wait: a Redis URL (redis://host:port/db).
    broker_url: str = DEFAULT_BROKER_URL
    # Where task results go (optional; None keeps no results, `schedule` does not need them).
    result_backend: str | None = None
    # The queue the crawl tasks go through; it also names the Redis keys of the site locks.
    queue: str = "govplans"
    # Seconds a delivered, unacknowledged task stays invisible before Redis hands it out again
    # (a worker that died mid-crawl loses nothing: its task comes back after this long).
    visibility_timeout: float = 7200.0
    # Seconds a site lock lives unless renewed (renewed every third of it while the crawl runs).
    lock_ttl: float = 60.0
    # The Redis holding the site locks (default: the broker's).
    lock_url: str | None = None

    @classmethod
    def from_env(cls, broker_url: str | None = None) -> "DistributedConfig":
        """GOVPLANS_BROKER_URL, GOVPLANS_RESULT_BACKEND, GOVPLANS_QUEUE, GOVPLANS_VISIBILITY_TIMEOUT,
        GOVPLANS_SITE_LOCK_TTL, GOVPLANS_LOCK_URL; `broker_url` (a --broker option) wins over the first."""
        return cls(broker_url=broker_url or os.environ.get("GOVPLANS_BROKER_URL") or DEFAULT_BROKER_URL,
                   result_backend=os.environ.get("GOVPLANS_RESULT_BACKEND") or None,
                   queue=os.environ.get("GOVPLANS_QUEUE") or "govplans",
                   visibility_timeout=_number("GOVPLANS_VISIBILITY_TIMEOUT", 7200.0),
                   lock_ttl=_number("GOVPLANS_SITE_LOCK_TTL", 60.0),
                   lock_url=os.environ.get("GOVPLANS_LOCK_URL") or None)

    @property
    def lock_redis_url(self) -> str:
        url = self.lock_url or self.broker_url
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"site locks need Redis: set GOVPLANS_LOCK_URL (the broker is {redact(url)})")
        return url

    @property
    def key_prefix(self) -> str:
        """Redis keys of this queue's locks and done marks: `<queue>:lock:<site>`, `<queue>:done:<task>`."""
        return self.queue

    def transport_options(self) -> dict:
        # kombu sweeps for overdue unacknowledged messages every interval x throttle seconds
        # (100 s by default); sweep often enough that a lost task comes back soon after the timeout.
        interval = max(1, min(60, int(self.visibility_timeout // 10)))
        return {"visibility_timeout": self.visibility_timeout, "unacked_restore_interval": interval,
                "unacked_restore_throttle": 1}


def redact(url: str) -> str:
    """A URL without its password, for messages."""
    from kombu.utils.url import maybe_sanitize_url
    return maybe_sanitize_url(url)
