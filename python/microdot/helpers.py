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

if sys.implementation.name == 'micropython':
    # (defined in the core, which does not import this module)
    from microdot.microdot import iscoroutinefunction  # noqa: F401

    #: Prints a traceback of an exception to stderr.
    print_exception = sys.print_exception
else:
    from inspect import iscoroutinefunction as _iscoroutinefunction

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
        """Prints a traceback of ``exc`` to stderr."""
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)
