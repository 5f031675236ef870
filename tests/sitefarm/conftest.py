"""A small farm on a free loopback port, and a way to fetch its pages by URL."""
import http.client
from urllib.parse import urlsplit

import pytest

from sitefarm.server import start_in_thread
from sitefarm.world import World


class FarmClient:
    """Sends every request to 127.0.0.1:port, with the URL's host in the Host header."""

    def __init__(self, port: int):
        self.port = port

    def get(self, url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
        parts = urlsplit(url)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            conn.request(method, path, body=body, headers={"Host": parts.netloc, **(headers or {})})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


@pytest.fixture(scope="session")
def farm_world():
    return World(sites=6, seed=0)  # 祁阳 平潭 抚顺 (trs), 万载 (xxgk), 临朐, 安化 (legacy)


@pytest.fixture(scope="session")
def farm(farm_world):
    server, port = start_in_thread(farm_world, port=0)
    yield FarmClient(port)
    server.shutdown()


@pytest.fixture(scope="session")
def farm_truth(farm_world, farm):
    return list(farm_world.truth(farm.port))
