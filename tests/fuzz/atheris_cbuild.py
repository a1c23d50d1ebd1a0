"""Coverage-guided differential fuzzing, with atheris, of microdot._cbuild
(ports/cffi/md_pybuild.c), the CPython C-API parse_request and builders of
Request.headers, .args and .cookies: for every input, parse_request must
answer what the pure backend's parse_request gives (the same tuple, or None,
or an exception of the same type and status code), a dict a builder answers
must be what the pure backend's rules give, and a value it leaves (None)
must not be a plain one by the rules below. Needs the module built in place
(python ports/cffi/build_cffi.py).

    make -C tests/fuzz cbuild SECONDS=30
"""
import os
import sys

import atheris

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
sys.path.insert(0, os.path.join(ROOT, 'python'))

from microdot import _cbuild, _pure  # noqa: E402
from microdot.microdot import MultiDict, NoCaseDict  # noqa: E402


def general_cookies(text):
    flat = _pure.parse_cookies(text)
    cookies = {}
    for i in range(0, len(flat), 2):
        cookies.setdefault(flat[i], flat[i + 1])
    return list(cookies.items())


def general_args(text):
    flat = _pure.parse_query(text)
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def plain(text, sep, bad):
    # the plain list of md_pybuild.c, spelled with str methods
    if not text or not text.isascii():
        return False
    parts = text.split(sep)
    names = [p.split('=', 1)[0] for p in parts]
    return all(p.count('=') == 1 and not any(c in p for c in bad)
               for p in parts) and len(set(names)) == len(names)


def check(what, text, got, want, is_plain):
    if got is None:
        if is_plain:
            raise AssertionError('{} left a plain value: {!r}'.format(
                what, text))
    elif list(got.items()) != want:
        raise AssertionError('{} differs on {!r}: {!r} != {!r}'.format(
            what, text, got, want))


def request_outcome(fn, *args):
    try:
        return fn(*args)
    except ValueError as e:  # (messages may differ: the status must not)
        return ('ValueError', e.args[0] if e.args else None)


# (max_line, max_head, max_headers), as tests/python/test_diff_backends.py
LIMITS = [(2048, 16384, 100), (16, 64, 3), (40, 200, 8)]


def check_request(data, pad, cut, limits):
    # data inside a bigger buffer (at pad), parsed whole, then (as a server
    # does) in two calls, the second one told what the first one scanned
    buf = bytearray(b'\xee' * pad + data + b'\xee' * pad)
    end = pad + len(data)
    for start, stop, scanned in ((pad, end, pad), (pad, pad + cut, pad),
                                 (pad, end, pad + cut)):
        args = (buf, start, stop, scanned) + limits
        got = request_outcome(_cbuild.parse_request, *args)
        want = request_outcome(_pure.parse_request, *args)
        if got != want or (type(got) is tuple and
                           [type(v) for v in got] != [type(v) for v in want]):
            raise AssertionError('parse_request differs on {!r} {!r}: {!r} '
                                 '!= {!r}'.format(data, args[1:], got, want))


def one_input(data):
    if data[:1] in (b'G', b'P', b'H'):  # (a head: most inputs are not)
        check_request(data, len(data) % 3, len(data) // 2,
                      LIMITS[len(data) % len(LIMITS)])
    else:
        head = b'GET /' + data + b' HTTP/1.1\r\nHost: h\r\n\r\n'
        check_request(head, 1, len(head) - 3, LIMITS[0])

    fdp = atheris.FuzzedDataProvider(data)
    text = fdp.ConsumeUnicodeNoSurrogates(len(data))
    check('cookies', text, _cbuild.cookies(text), general_cookies(text),
          plain(text, '; ', ';\t '))
    try:
        want = general_args(text)
    except ValueError:  # not UTF-8 once decoded: never plain
        want = None
    check('args', text, _cbuild.args(MultiDict, text), want,
          plain(text, '&', '%+'))
    flat = text.split('\n')
    got = _cbuild.fill(NoCaseDict, flat)
    it = iter(flat)
    want = dict(zip(it, it))
    if type(got) is not NoCaseDict or list(got.items()) != list(want.items()):
        raise AssertionError('fill differs on {!r}'.format(flat))


if __name__ == '__main__':
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
