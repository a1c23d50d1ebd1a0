"""Picks the backend once, at import: the C core where it is present, the
pure-Python twin otherwise. Set the environment variable
MICRODOT_BACKEND=pure to force the pure backend (or =c / =cffi to insist on a
compiled one and fail loudly when it is missing).

A firmware built with parts of the C core switched off (cmodule/md_config.h)
has a `_microdot` without their functions: those come from the pure backend,
and NAME says so (e.g. 'c+pure')."""
try:
    from os import getenv
except ImportError:  # pragma: no cover - ports without os.getenv
    def getenv(name):
        return None

_wanted = getenv('MICRODOT_BACKEND') or ''

# Every function of the interface (see the docstring of microdot._pure).
FUNCTIONS = ('parse_request', 'new_chunked', 'chunked_decode', 'compile_router',
             'match_route', 'ws_parse_header', 'ws_build_header', 'ws_mask',
             'utf8_check', 'url_decode', 'parse_query', 'parse_cookies')


def _load():
    if _wanted != 'pure':
        try:
            import _microdot as backend  # MicroPython: firmware or .mpy
            return backend
        except ImportError:
            pass
        try:
            from microdot import _cffi as backend  # CPython: cffi extension
            return backend
        except ImportError:
            pass
        if _wanted:
            raise ImportError('microdot: the C backend is not available')
    from microdot import _pure as backend
    return backend


def _complete(backend):
    for name in FUNCTIONS:
        if not hasattr(backend, name):
            # the compiled backend's functions, and the pure ones it lacks
            from microdot import _pure
            combined = _Combined()
            for flag in ('F_CHUNKED', 'F_KEEP_ALIVE', 'F_EXPECT_CONTINUE',
                         'F_UPGRADE'):
                setattr(combined, flag, getattr(_pure, flag))
            for name in FUNCTIONS:
                setattr(combined, name,
                        getattr(backend, name, None) or getattr(_pure, name))
            combined.NAME = backend.NAME + '+pure'
            return combined
    return backend


class _Combined:
    pass


backend = _complete(_load())
NAME = backend.NAME
