"""``microdot.asyncio.test_client``: :mod:`microdot.test_client` under the
name of the guides written between 1.x and 2.x (``await`` the requests)."""
from microdot.test_client import TestClient, TestResponse  # noqa: F401
