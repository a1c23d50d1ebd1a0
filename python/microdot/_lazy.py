"""CPython only: the lazy attributes of Request (headers, args, cookies,
...) as non-data descriptors. The first read computes the value with
Request._lazy, which stores it on the instance; later reads find it there
and never reach the descriptor. (MicroPython uses __getattr__ instead.)"""


class _Lazy:
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        return obj._lazy(self.name)


def install(cls, names):
    """Adds a lazy attribute to ``cls`` for each of ``names``."""
    for name in names:
        setattr(cls, name, _Lazy(name))
