"""The pure backend's functions lent to a C backend built with parts
switched off (fill_in, called by microdot._backend), and the list of the
interface's functions (FUNCTIONS, for tests and tools). Imported on first
use: a board with a complete _microdot, or with the pure backend alone,
keeps it out of RAM."""

# Every function of the interface (microdot._pure's docstring), in one
# string (a tuple of them would take several times its RAM).
_FUNCTIONS = ('parse_request new_chunked chunked_decode compile_router '
              'match_route ws_parse_header ws_build_header ws_mask utf8_check '
              'url_decode parse_query parse_cookies')


def functions():
    return tuple(_FUNCTIONS.split())


class _FilledIn:
    pass


def fill_in(compiled, names=None):
    """A backend with ``compiled``'s functions and the pure backend's for
    the ``names`` (default: all) it lacks (a firmware built with parts of the
    C core off)."""
    from microdot import _pure
    if names is None:
        names = _FUNCTIONS.split()
    combined = _FilledIn()
    for flag in ('F_CHUNKED', 'F_KEEP_ALIVE', 'F_EXPECT_CONTINUE', 'F_UPGRADE'):
        setattr(combined, flag, getattr(_pure, flag))
    for name in names:
        setattr(combined, name, getattr(compiled, name, None) or getattr(_pure, name))
    combined.NAME = compiled.NAME + '+pure'
    return combined
