"""Microdot 1.x name of :mod:`microdot.ssl`."""
from microdot.ssl import create_ssl_context  # noqa: F401
