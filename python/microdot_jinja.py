"""Microdot 1.x name of :mod:`microdot.jinja` (CPython only)."""
from microdot.jinja import init_templates, render_template, \
    Template  # noqa: F401
