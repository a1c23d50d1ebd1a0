"""Small portability helpers shared by the core and the extensions."""
import sys

try:
    from functools import wraps
except ImportError:  # MicroPython without functools
    def wraps(wrapped):
        def decorator(wrapper):
            for name in ('__name__', '__doc__', '__module__', '__qualname__'):
                try:
                    setattr(wrapper, name, getattr(wrapped, name))
                except (AttributeError, TypeError):
                    pass
            return wrapper
        return decorator

try:
    from inspect import iscoroutinefunction as _iscoroutinefunction
except ImportError:  # MicroPython: async def functions are generator functions
    async def _probe():
        pass

    _generator_function = type(_probe)

    def _iscoroutinefunction(f):
        if type(f) is _generator_function:
            return True
        # closures and bound methods do not tell their kind by type, but
        # their repr names the function inside: "<generator>" for async def
        return type(f).__name__ in ('closure', 'bound_method') and \
            '<generator>' in repr(f)

_async_cache = {}
_plain_types = (type(wraps), type(print))


def iscoroutinefunction(f):
    """True when calling ``f`` gives a coroutine (cached per function)."""
    try:
        return _async_cache[f]
    except KeyError:
        pass
    except TypeError:  # unhashable callable
        return _iscoroutinefunction(f)
    result = _iscoroutinefunction(f)
    if not result and type(f) not in _plain_types:
        # a callable object: ask about its __call__ method
        try:
            result = _iscoroutinefunction(f.__call__)
        except AttributeError:
            pass
    _async_cache[f] = result
    return result


def print_exception(exc):
    """Prints a traceback of ``exc`` to stderr on every interpreter."""
    if hasattr(sys, 'print_exception'):  # MicroPython
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)
