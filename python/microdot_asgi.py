"""Microdot 1.x name of :mod:`microdot.asgi` (CPython only)."""
from microdot.asgi import Microdot  # noqa: F401
from microdot import Request, Response, URLPattern, MultiDict, NoCaseDict, \
    HTTPException, abort, redirect, send_file  # noqa: F401
