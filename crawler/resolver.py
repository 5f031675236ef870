"""DNS for the crawler: simulated portals (*.test) live on 127.0.0.1; *.invalid never resolves."""
from __future__ import annotations

from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from scrapy.resolver import CachingThreadedResolver


class TestHostsResolver(CachingThreadedResolver):
    """The default caching resolver, except that *.test names resolve to 127.0.0.1 when enabled."""

    resolve_test_hosts = False

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.resolve_test_hosts = crawler.settings.getbool("GOVPLANS_RESOLVE_TEST_HOSTS")
        return resolver

    def getHostByName(self, name: str, timeout=()):
        if self.resolve_test_hosts and name.rstrip(".").endswith(".test"):
            return defer.succeed("127.0.0.1")
        if name.rstrip(".").endswith(".invalid"):   # RFC 6761 6.4: answered negatively, never asked
            return defer.fail(DNSLookupError(name))
        return super().getHostByName(name, timeout)
