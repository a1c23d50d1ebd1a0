"""Microdot 1.x name of :mod:`microdot.test_client` (``await`` the
requests)."""
from microdot.test_client import TestClient, TestResponse  # noqa: F401
