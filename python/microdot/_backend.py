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

# Every function of the interface (see the docstring of microdot._pure).
FUNCTIONS = ('parse_request', 'new_chunked', 'chunked_decode', 'compile_router',
             'match_route', 'ws_parse_header', 'ws_build_header', 'ws_mask',
             'utf8_check', 'url_decode', 'parse_query', 'parse_cookies')


def _load(wanted):
    if wanted != 'pure':
        try:
            import _microdot  # MicroPython: firmware or .mpy
            return _microdot
        except ImportError:
            pass
        try:
            from microdot import _cffi  # CPython: cffi extension
            return _cffi
        except ImportError:
            if wanted:
                raise ImportError('microdot: the C backend is not available')
    from microdot import _pure
    return _pure


def _complete(found):
    for name in FUNCTIONS:
        if not hasattr(found, name):
            from microdot._pure import fill_in
            return fill_in(found, FUNCTIONS)
    return found


backend = _complete(_load(_wanted))
NAME = backend.NAME
