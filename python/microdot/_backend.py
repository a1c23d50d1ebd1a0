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


def _complete(found):
    # A _microdot built with parts of the C core switched off lacks their
    # functions; the switches take whole parts (cmodule/md_config.h), so
    # one function of each part tells. (Attributes, not their names in a
    # tuple: each name longer than 10 characters would be a str in RAM.)
    if found.NAME != 'pure':
        try:
            found.parse_request, found.compile_router, found.ws_mask, \
                found.url_decode
        except AttributeError:
            from microdot._pure_fill import fill_in
            return fill_in(found)
    return found


def __getattr__(name):
    # FUNCTIONS: every function of the interface (see the docstring of
    # microdot._pure), for tests and tools; kept out of a board's RAM.
    if name == 'FUNCTIONS':
        from microdot._pure_fill import functions
        return functions()
    raise AttributeError(name)


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
backend = _complete(backend)
NAME = backend.NAME
