"""The CPython-only parts of the core (not in the MicroPython bundle):
calling handlers (sync ones in the thread executor), and Request's lazy
attributes as non-data descriptors. A class with __getattr__ (what
MicroPython uses) would keep CPython from specialising every attribute read
of its instances.

``headers``, ``args`` and ``cookies`` have their own descriptors here, which
build the value with a few C-level calls (split, zip, dict.update) instead of
microdot.py's loops, a bytecode per item, or, when the C-API module
microdot._cbuild was built (ports/cffi/md_pybuild.c), with one call of it
for a plain value; the other lazy attributes go through Request._lazy.
install_lazy also gives NoCaseDict._fill and MultiDict._from_flat their
CPython versions. The results are the same as
microdot.py's: a shortcut that could differ (a repeated name, a pair
without '=', an escape, unusual spacing) takes the general path."""
import asyncio
import sys
from functools import partial
from itertools import repeat

from microdot._backend import backend, NAME
from microdot.helpers import iscoroutinefunction

_c_args = _c_cookies = _c_fill = None
if NAME != 'pure':  # (forcing the pure backend keeps all C code out)
    try:  # (CPython C API: cffi cannot make Python objects in C)
        from microdot._cbuild import args as _c_args, cookies as _c_cookies, \
            fill as _c_fill
    except ImportError:
        pass

# set by install_lazy (microdot.py defines them, and imports this module)
NoCaseDict = MultiDict = Request = _http_error = _request_lazy = None
_joining_fill = None  # microdot.py's NoCaseDict._fill (repeated names)

_new = dict.__new__
_update = dict.update
_get = dict.get
_getitem = dict.__getitem__
_setitem = dict.__setitem__
_clear = dict.clear
_split = str.split
_EQ = repeat('=')  # (map(_split, parts, _EQ, _ONE): part.split('=', 1) each)
_ONE = repeat(1)


class _NoHint:
    distinct_headers = None
    plain_cookie = False  # (never a header value, nor None)


# The cffi backend names the header list of its latest parse whose field
# names are all different ignoring case, and the latest Cookie value it
# found plain; the pure backend names none.
_hint = backend if 'distinct_headers' in vars(backend) else _NoHint


async def call(f, *args, **kwargs):
    """Awaits ``f`` when it is async; runs it in the executor if not."""
    if iscoroutinefunction(f):
        return await f(*args, **kwargs)
    loop = asyncio.get_running_loop()
    ret = await loop.run_in_executor(None, partial(f, *args, **kwargs))
    if hasattr(ret, '__await__') and not hasattr(ret, '__next__'):
        ret = await ret
    return ret


# Builders -----------------------------------------------------------

def fill_headers(headers, flat):
    """NoCaseDict._fill: adds the flat [name, value, ...] headers to the
    empty ``headers``, the values of a repeated name (in any case) joined
    with ', ' under its first spelling."""
    it = iter(flat)
    _update(headers, zip(it, it))
    if flat is _hint.distinct_headers:
        return  # no repeats: the lower-case key map stays None until needed
    names = flat[::2]
    keys = dict(zip(map(str.lower, names), names))
    if len(keys) != len(names):  # a repeated name: microdot.py's loop
        _clear(headers)
        _joining_fill(headers, flat)
    else:
        headers._k = keys


def from_flat(cls, flat):
    """MultiDict._from_flat: a ``cls`` of the flat [key, value, ...] list,
    a repeated key keeping all its values."""
    d = cls()
    it = iter(flat)
    _update(d, zip(it, it))
    if len(d) * 2 != len(flat):  # a repeated key
        _clear(d)
        for i in range(0, len(flat), 2):
            d.add(flat[i], flat[i + 1])
    return d


# NoCaseDict and MultiDict lookups: the same results as microdot.py's and
# _multidict.py's methods, with the common case (the key in the case it was
# stored in, no type conversion) in one C-level dict call and no super().

_MISSING = object()


_SCAN_MAX = 8  # a NoCaseDict this small is scanned rather than mapped


def _stored_key(d, key):
    # The key of ``d`` equal to the str ``key`` ignoring case (not in the
    # same case: the caller looked that up), or _MISSING. A small dict
    # without its lower-case map (a response's headers) is scanned: building
    # the map costs more than a few lookups.
    keys = d._k
    if keys is None:
        if len(d) <= _SCAN_MAX:
            lower = key.lower()
            for name in d:
                if isinstance(name, str) and name.lower() == lower:
                    return name
            return _MISSING
        keys = d._keys()
    return _get(keys, key.lower(), _MISSING)


def nocase_get(self, key, default=None):
    value = _get(self, key, _MISSING)
    if value is not _MISSING or not isinstance(key, str):
        return default if value is _MISSING else value
    key = _stored_key(self, key)
    return default if key is _MISSING else _getitem(self, key)


def nocase_getitem(self, key):
    value = _get(self, key, _MISSING)
    if value is not _MISSING:
        return value
    if isinstance(key, str):
        stored = _stored_key(self, key)
        if stored is not _MISSING:
            return _getitem(self, stored)
    raise KeyError(key)


def nocase_contains(self, key):
    if _get(self, key, _MISSING) is not _MISSING:
        return True
    return isinstance(key, str) and _stored_key(self, key) is not _MISSING


def nocase_setitem(self, key, value):
    if isinstance(key, str):
        keys = self._k
        if keys is not None:
            key = keys.setdefault(key.lower(), key)
        elif self and _get(self, key, _MISSING) is _MISSING:
            stored = _stored_key(self, key)
            if stored is not _MISSING:
                key = stored
            elif self._k is not None:  # (_stored_key built it)
                self._k[key.lower()] = key
    _setitem(self, key, value)


def multi_get(self, key, default=None, type=None):
    if type is None:
        return _get(self, key, default)
    value = _get(self, key, _MISSING)
    if value is _MISSING:
        return default
    try:
        return type(value)
    except (TypeError, ValueError):
        return default


def _decoded_args(query):
    try:
        flat = backend.parse_query(query)
    except ValueError as exc:  # not UTF-8 once decoded
        raise _http_error(exc)
    return from_flat(MultiDict, flat)


def _cookie_dict(header):
    # backend.parse_cookies, the first value of a repeated name winning
    flat = backend.parse_cookies(header)
    cookies = dict(zip(flat[::2], flat[1::2]))
    if len(cookies) * 2 != len(flat):
        cookies = {}
        for i in range(0, len(flat), 2):
            if flat[i] not in cookies:
                cookies[flat[i]] = flat[i + 1]
    return cookies


# Repeated Cookie fields: headers joins them with ', ' (as any repeated
# field), cookies with '; ' (a Cookie field is a '; ' list; HTTP/2 joins
# them so), whichever attribute is read first. When headers is built first
# and has joined Cookie fields, the '; ' form is kept aside for cookies,
# with the joined value it stands for: a value set in headers since then
# is read as it is.

def _keep_cookie_fields(req, headers):
    joined = req._header('cookie', '; ')  # (from the raw list, still there)
    if joined is not None:
        value = headers.get('cookie')
        if value is not joined and value is not None:
            req._cookie_fields = (value, joined)


def _cookie_fields(req, header):
    kept = req.__dict__.get('_cookie_fields')
    if kept is not None and kept[0] is header:
        return kept[1]
    return header


# Descriptors -------------------------------------------------------
#
# Non-data descriptors: the first read builds the value and stores it on the
# instance, where later reads find it without calling the descriptor. A
# subclass with its own _lazy (asgi's _ASGIRequest) builds them there.

class _Headers:
    __slots__ = ()

    def __get__(self, req, cls=None):
        if req is None:
            return self
        if cls is not Request and type(req)._lazy is not _request_lazy:
            return req._lazy('headers')
        flat = req._raw_headers
        if flat is _hint.distinct_headers:
            if _c_fill is not None:
                headers = _c_fill(NoCaseDict, flat)
            else:
                headers = _new(NoCaseDict)
                it = iter(flat)
                _update(headers, zip(it, it))
        else:
            headers = _new(NoCaseDict)
            fill_headers(headers, flat)
            if len(headers) * 2 != len(flat):  # a repeated name
                _keep_cookie_fields(req, headers)
        req._raw_headers = None  # from now on, read from headers
        req.headers = headers
        return headers


class _Args:
    __slots__ = ()

    def __get__(self, req, cls=None):
        if req is None:
            return self
        if cls is not Request and type(req)._lazy is not _request_lazy:
            return req._lazy('args')
        query = req.query_string
        if query and _c_args is not None:
            args = _c_args(MultiDict, query)  # (None: not plain)
            if args is not None:
                req.args = args
                return args
        args = _new(MultiDict)
        if query:
            if '%' in query or '+' in query:
                args = _decoded_args(query)
            else:
                parts = query.split('&')
                try:
                    _update(args, map(_split, parts, _EQ, _ONE))
                except ValueError:  # a part without '=', or an empty one
                    args = None
                if args is None or len(args) != len(parts):  # or a repeat
                    args = _decoded_args(query)
        req.args = args
        return args


class _Cookies:
    __slots__ = ()

    def __get__(self, req, cls=None):
        if req is None:
            return self
        if cls is not Request and type(req)._lazy is not _request_lazy:
            return req._lazy('cookies')
        raw = req._raw_headers
        headers = req.headers if raw is None else None
        if isinstance(headers, NoCaseDict):
            # (its keys are never case variants of each other: an exact
            # match is the only one)
            header = _get(headers, 'Cookie') or _get(headers, 'cookie') \
                or headers.get('cookie')
        else:
            header = None
            if raw is not None and raw is _hint.distinct_headers and \
                    'Cookie' in raw:
                i = raw.index('Cookie')
                if i % 2 == 0:  # a name, the only one in any case (C checked)
                    header = raw[i + 1]
            if header is None:
                header = req._header('cookie', '; ')
        if _c_cookies is not None:
            # (a repeated field's value joined with ', ' is never plain)
            cookies = _c_cookies(header) if header else None
            if cookies is not None:  # (None: not a plain browser list)
                req.cookies = cookies
                return cookies
        elif header is _hint.plain_cookie and header:  # (C checked: _cffi)
            it = iter(header.replace('; ', '=').split('='))
            req.cookies = cookies = dict(zip(it, it))
            return cookies
        cookies = {}
        if header:
            # "a=1; b=2" (what browsers send) splits at '; ' and then at each
            # first '=', when those '; ' are all its spaces, tabs and ';'
            parts = header.split('; ')
            rest = header.replace('; ', '')
            if ';' not in rest and ' ' not in rest and '\t' not in rest:
                try:
                    cookies = dict(map(_split, parts, _EQ, _ONE))
                except ValueError:  # a part without '='
                    cookies = None
            else:
                cookies = None
            if cookies is None or len(cookies) != len(parts):
                if raw is None:
                    header = _cookie_fields(req, header)
                cookies = _cookie_dict(header)
        req.cookies = cookies
        return cookies


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


_BUILT_HERE = {'headers': _Headers, 'args': _Args, 'cookies': _Cookies}


def install_lazy(cls, names):
    """Adds a lazy attribute to ``cls`` (Request or a subclass) for each of
    ``names``. The first call also gives the dict classes of microdot.py
    their CPython builders."""
    if NoCaseDict is None:
        _install_builders(sys.modules['microdot.microdot'])
    for name in names:
        descriptor = _BUILT_HERE.get(name)
        setattr(cls, name, descriptor() if descriptor else _Lazy(name))


def install_properties(cls):
    """Gives Request its read-each-time attributes as properties. (On
    MicroPython _lazy answers them: there, a class with a property makes
    every attribute store on its instances slower.)"""
    cls._stream = None

    def stream(req):
        """The body as a stream with async ``read(n)``, ``readexactly(n)``
        and ``readline()``; the only way to reach bodies over
        ``max_body_length`` (settable)."""
        return req._lazy('stream')

    def set_stream(req, value):
        req._stream = value

    def content_type(req):
        """The ``Content-Type`` header as sent, parameters included, or
        None when the request has none."""
        return req._header('content-type')

    def content_length(req):
        """The ``Content-Length`` header as an int; 0 when the request has
        none."""
        return cls._lazy(req, 'content_length')

    cls.stream = property(stream, set_stream)
    cls.content_type = property(content_type)
    cls.content_length = property(content_length)


def _install_builders(module):
    # (module may still be being imported: it calls install_lazy once its
    # dict classes and Request are defined)
    global NoCaseDict, MultiDict, Request, _http_error, _request_lazy, \
        _joining_fill
    NoCaseDict = module.NoCaseDict
    MultiDict = module.MultiDict
    Request = module.Request
    _request_lazy = Request._lazy
    _http_error = module._http_error
    _joining_fill = NoCaseDict._fill
    NoCaseDict._fill = fill_headers
    _replace(NoCaseDict, 'get', nocase_get)
    _replace(NoCaseDict, '__getitem__', nocase_getitem)
    _replace(NoCaseDict, '__contains__', nocase_contains)
    _replace(NoCaseDict, '__setitem__', nocase_setitem)
    _replace(MultiDict, 'get', multi_get)


def _replace(cls, name, function):
    # (the documented method keeps its docstring)
    function.__doc__ = getattr(cls, name).__doc__
    setattr(cls, name, function)
    MultiDict._from_flat = classmethod(from_flat)


def install_late(app_class, response_class):
    """Gives Response its CPython complete() (microdot.py calls this once
    Microdot and Response are defined)."""
    _install_complete(response_class)


def _install_complete(response_class):
    complete = response_class.complete

    def complete_headers(self):
        headers = self.headers
        status = self.status_code
        if type(headers) is not NoCaseDict or status < 200 or \
                status == 204 or status == 304:
            return complete(self)
        body = self.body
        if not headers:  # (no case variants to look for)
            if isinstance(body, (bytes, bytearray)):
                _setitem(headers, 'Content-Length', str(len(body)))
            _setitem(headers, 'Content-Type', self._content_type())
            return
        if isinstance(body, (bytes, bytearray)) and \
                not nocase_contains(headers, 'Content-Length'):
            nocase_setitem(headers, 'Content-Length', str(len(body)))
        if not nocase_contains(headers, 'Content-Type'):
            nocase_setitem(headers, 'Content-Type', self._content_type())

    # (the NoCaseDict methods called as functions, not through the
    # operators: the same work without the slot look-ups)
    complete_headers.__doc__ = complete.__doc__
    response_class.complete = complete_headers


try:
    from _json import encode_basestring_ascii as _json_str
    from _json import make_encoder as _make_json_encoder
except ImportError:  # an interpreter without the C accelerator
    _make_json_encoder = None


def _not_serializable(value):
    raise TypeError('Object of type %s is not JSON serializable'
                    % type(value).__name__)


def json_dumps(value):
    """json.dumps(value) with its default options, without the per-call
    JSONEncoder set-up (a JSON body is built for every such response)."""
    if _make_json_encoder is None:
        import json
        return json.dumps(value)
    # a fresh markers dict per call: circular references still raise
    encode = _make_json_encoder({}, _not_serializable, _json_str, None, ': ',
                                ', ', False, False, True)
    return ''.join(encode(value, 0))
