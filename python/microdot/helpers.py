"""Small portability helpers shared by the core and the extensions."""
import sys

try:
    from functools import wraps as _functools_wraps
except ImportError:  # MicroPython without functools
    _functools_wraps = None

# wrapper -> wrapped, for functions that take no __wrapped__ attribute
# (MicroPython's): what the extensions' decorators wrap is found on both
# interpreters (csrf.exempt under @basic_auth, say)
_wrapped_by = {}


def wraps(wrapped):
    """functools.wraps, and where functions take no attributes a record of
    what ``wrapper`` wraps, for :func:`unwrap_once`."""
    def decorator(wrapper):
        if _functools_wraps is not None:
            wrapper = _functools_wraps(wrapped)(wrapper)
        else:
            # (a list: made when called, where a tuple would be a constant
            # object in RAM for as long as the module is loaded)
            for name in ['__name__', '__doc__', '__module__', '__qualname__']:
                try:
                    setattr(wrapper, name, getattr(wrapped, name))
                except (AttributeError, TypeError):
                    pass
        if getattr(wrapper, '__wrapped__', None) is not wrapped:
            _wrapped_by[wrapper] = wrapped
        return wrapper
    return decorator


def unwrap_once(f):
    """The function that ``f`` wraps (made with :func:`wraps`), or
    ``None``."""
    wrapped = getattr(f, '__wrapped__', None)
    return wrapped if wrapped is not None else _wrapped_by.get(f)


# one implementation, in the core
from microdot.microdot import iscoroutinefunction  # noqa: E402, F401

if sys.implementation.name == 'micropython':
    #: Prints a traceback of an exception to stderr.
    print_exception = sys.print_exception

    def wraps_async(f, kind):
        # Whether the closure or bound method ``f`` calls an async def
        # function (microdot.iscoroutinefunction asks): its repr names that
        # function, at its start for a closure, at its end for a bound
        # method. (Compared in pieces: '<generator>' is one of MicroPython's
        # own qstrs, where a longer literal would be a str in RAM.)
        if kind == 'closure':
            head = _repr_ends(f, 20)[0]
            return head[:9] == '<closure ' and head[9:] == '<generator>'
        tail = _repr_ends(f, 0)[1]
        return tail[-12:-1] == '<generator>' and tail[-13:-12] == '.' and \
            tail[-1:] == '>'

    def _repr_ends(f, size):
        # (head, tail) of repr(f): the first ``size`` characters (printing
        # stops there: a closure's repr goes on with what it holds, which
        # may be big or hold the closure itself) and the last 16
        try:
            from io import IOBase
        except ImportError:  # (a port without it: the whole repr)
            try:
                text = repr(f)
            except RuntimeError:  # (a repr loop)
                text = ''
            return text[:size], text[-16:]

        class Ends(IOBase):
            head = tail = ''

            def write(self, data):
                text = bytes(data).decode()
                if len(self.head) < size:
                    self.head += text[:size - len(self.head)]
                    if len(self.head) == size:
                        raise StopIteration
                self.tail = (self.tail + text)[-16:]
                return len(data)

        ends = Ends()
        try:
            print(f, file=ends, end='')
        except (StopIteration, RuntimeError):  # (enough, or a repr loop)
            pass
        return ends.head, ends.tail
else:
    def print_exception(exc):
        """Prints a traceback of ``exc`` to stderr."""
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)
