"""Microdot 1.x name of :mod:`microdot.cors`."""
from microdot.cors import CORS  # noqa: F401
