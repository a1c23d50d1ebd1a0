"""MultiDict, a dict that holds several values per key (Request.args and
Request.form). Imported on first use on MicroPython (microdot.microdot and
the package give it on first access), with microdot.microdot on CPython."""
import sys

_MICROPYTHON = sys.implementation.name == 'micropython'


class MultiDict(dict):
    """A dict that can hold several values per key. ``d[key]`` and ``get()``
    give the first value, ``getlist()`` all of them."""

    _more = None  # key -> [second value, ...], for the keys that have more

    def __init__(self, initial=None):
        if _MICROPYTHON:  # makes the native dict (CPython's __new__ did)
            super().__init__()
        if initial:
            items = initial.items() if hasattr(initial, 'items') else initial
            for key, value in items:
                self.add(key, value)

    def __setitem__(self, key, value):
        if self._more and key in self._more:
            del self._more[key]
        super().__setitem__(key, value)

    def __delitem__(self, key):
        super().__delitem__(key)
        if self._more and key in self._more:
            del self._more[key]

    def add(self, key, value):
        """Adds a value to a key, keeping the ones it already has."""
        if key in self:
            if self._more is None:
                self._more = {}
            self._more.setdefault(key, []).append(value)
        else:
            super().__setitem__(key, value)

    def get(self, key, default=None, type=None):
        """Returns the first value of ``key``, or ``default`` when it has
        none.

        :param key: the key to look up.
        :param default: returned when the key is missing or its value
                        cannot be converted.
        :param type: optional callable (such as ``int``) that converts the
                     value; a ``TypeError`` or ``ValueError`` from it gives
                     ``default``.
        :return: the (converted) first value, or ``default``.

        Example, for the query string ``page=2&page=3&size=x``::

            request.args.get('page', type=int)            # 2
            request.args.get('size', 10, type=int)        # 10
        """
        if key not in self:
            return default
        value = self[key]
        if type is not None:
            try:
                value = type(value)
            except (TypeError, ValueError):
                return default
        return value

    def getlist(self, key, type=None):
        """All the values of a key (an empty list when it has none)."""
        if key not in self:
            return []
        values = [self[key]]
        if self._more and key in self._more:
            values += self._more[key]
        if type is not None:
            out = []
            for value in values:
                try:
                    out.append(type(value))
                except (TypeError, ValueError):
                    pass
            values = out
        return values

    @classmethod
    def _from_flat(cls, flat):
        d = cls()
        for i in range(0, len(flat), 2):
            d.add(flat[i], flat[i + 1])
        return d
