"""Picks the backend once, at import: the C core where it is present, the
pure-Python twin otherwise. Set the environment variable
MICRODOT_BACKEND=pure to force the pure backend (or =c / =cffi to insist on a
compiled one and fail loudly when it is missing).

A firmware built with parts of the C core switched off (cmodule/md_config.h)
has a `_microdot` without their functions: those come from the pure backend,
and NAME says so (e.g. 'c+pure'). This module stays this small because a
board keeps its bytecode in RAM."""
try:
    from os import getenv
    _wanted = getenv('MICRODOT_BACKEND') or ''
except ImportError:  # boards: no os.getenv
    _wanted = ''


backend = None
if _wanted != 'pure':
    try:
        import _microdot as backend  # MicroPython: firmware or .mpy
    except ImportError:
        try:
            from microdot import _cffi as backend  # CPython: cffi extension
        except ImportError:
            if _wanted:
                raise ImportError('microdot: the C backend is not available')
if backend is None:
    from microdot import _pure as backend
if backend.NAME != 'pure':
    # A _microdot built with parts of the C core switched off lacks their
    # functions; the switches take whole parts (cmodule/md_config.h), so
    # one function of each part tells. (Attributes, not their names in a
    # tuple: each name longer than 10 characters would be a str in RAM.)
    try:
        backend.parse_request, backend.compile_router, backend.ws_mask, \
            backend.url_decode
    except AttributeError:
        from microdot._pure_fill import fill_in
        backend = fill_in(backend)
NAME = backend.NAME
