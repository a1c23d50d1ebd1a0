"""The CPython-only parts of the core (not in the MicroPython bundle):
calling handlers (sync ones in the thread executor), and Request's lazy
attributes as non-data descriptors. A class with __getattr__ (what
MicroPython uses) would keep CPython from specialising every attribute read
of its instances."""
import asyncio
from functools import partial

from microdot.helpers import iscoroutinefunction


async def call(f, *args, **kwargs):
    """Awaits ``f`` when it is async; runs it in the executor if not."""
    if iscoroutinefunction(f):
        return await f(*args, **kwargs)
    loop = asyncio.get_running_loop()
    ret = await loop.run_in_executor(None, partial(f, *args, **kwargs))
    if hasattr(ret, '__await__') and not hasattr(ret, '__next__'):
        ret = await ret
    return ret


class _Lazy:
    # The first read computes the value with Request._lazy, which stores it
    # on the instance; later reads find it there and skip the descriptor.
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        return obj._lazy(self.name)


def install_lazy(cls, names):
    """Adds a lazy attribute to ``cls`` for each of ``names``."""
    for name in names:
        setattr(cls, name, _Lazy(name))
