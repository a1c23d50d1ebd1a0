"""Microdot 1.x name of :mod:`microdot.utemplate`."""
from microdot.utemplate import init_templates, render_template, \
    Template  # noqa: F401
