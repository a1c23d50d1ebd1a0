"""Picks the backend once, at import: the C core where it is present, the
pure-Python twin otherwise. Set the environment variable
MICRODOT_BACKEND=pure to force the pure backend (or =c / =cffi to insist on a
compiled one and fail loudly when it is missing)."""
try:
    from os import getenv
except ImportError:  # pragma: no cover - ports without os.getenv
    def getenv(name):
        return None

_wanted = getenv('MICRODOT_BACKEND') or ''


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


backend = _load()
NAME = backend.NAME
