"""The cffi backend's name slots and plain-cookie hint (ports/cffi/md_pack.c,
microdot._cffi.parse_request): a head whose field names were seen before
gets its names from a kept list, and a Cookie value C found plain is split
without Python's checks. Whatever the order of heads (hits, new lists,
slots given away, name lists too long for a slot, threads), the results
must be those of the pure backend."""
import random
import threading

import pytest

from cffi_pair import _cffi, _pure, needs_cffi
from microdot import Microdot, Request

pytestmark = needs_cffi

NAMES = ['Host', 'User-Agent', 'Accept', 'Cookie', 'cookie', 'X-A', 'x-a',
         'Accept-Language', 'Referer', 'Connection', 'X-' + 'L' * 300]
VALUES = ['v', '', 'a=1; b=2', 'a=1;b=2', 'a=1; a=2', 'é=ü; x=y', 'a', 'a=b=c',
          'close', 'keep-alive', 'x' * 40]


def head_of(fields, target=b'/p?q=1'):
    return b'GET ' + target + b' HTTP/1.0\r\n' + b''.join(
        n.encode() + b': ' + v.encode() + b'\r\n' for n, v in fields) + b'\r\n'


def parse(backend, head):
    return backend.parse_request(head, 0, len(head), 0, 2048, 16384, 64)


def outcome(backend, head):
    try:
        return parse(backend, head)
    except ValueError as exc:
        return exc.args[0]


def random_heads(rng, count, lists):
    # `lists` name lists, each used many times with other values
    name_lists = [[rng.choice(NAMES) for _ in range(rng.randrange(0, 6))]
                  for _ in range(lists)]
    for _ in range(count):
        names = rng.choice(name_lists)
        yield head_of([(n, rng.choice(VALUES)) for n in names])


@pytest.mark.parametrize('lists', [1, 3, 8, 9, 30])
def test_heads_agree_with_the_pure_backend(lists):
    rng = random.Random(lists)
    for head in random_heads(rng, 600, lists):
        got = outcome(_cffi, head)
        assert got == outcome(_pure, head), head
        if isinstance(got, tuple) and got[4]:
            assert got[4][::2] == [n.decode() for n in
                                   _pure_names(head)], head


def _pure_names(head):
    return [line.split(b':')[0] for line in head.split(b'\r\n')[1:] if line]


def test_a_kept_list_is_not_changed_by_its_requests():
    head = head_of([('Host', 'h'), ('X-A', '1')])
    first = parse(_cffi, head)[4]
    first[0] = 'changed'
    first.append('more')
    second = parse(_cffi, head)[4]
    assert second == ['Host', 'h', 'X-A', '1']
    assert second is not first


def test_long_name_lists_and_no_fields():
    long = [('X-%d-%s' % (i, 'n' * 40), str(i)) for i in range(20)]
    for fields in (long, [], long, [('Host', 'h')], []):
        head = head_of(fields)
        assert parse(_cffi, head) == parse(_pure, head)


def test_the_same_names_in_another_case_are_other_names():
    for fields in ([('Host', 'a'), ('Accept', 'b')],
                   [('host', 'a'), ('Accept', 'b')],
                   [('Host', 'a'), ('Accept', 'b')],
                   [('Host', 'a'), ('accept', 'b')]):
        head = head_of(fields)
        assert parse(_cffi, head)[4] == parse(_pure, head)[4]


def expected_cookies(header):
    flat = _pure.parse_cookies(header)
    cookies = {}
    for i in range(0, len(flat), 2):
        cookies.setdefault(flat[i], flat[i + 1])
    return cookies


COOKIES = ['a=1', 'a=1; b=2', 'session=4f2a9c0e7b1d; cart=1703; theme=dark',
           'a=1; a=2', 'a=1;b=2', 'a=1;  b=2', 'a=1; b', 'a=b=c; d=e',
           'a=; b=', '=v; w=x', 'a=1; ', 'a=1;', 'a 1=2', 'a=1\t; b=2',
           'é=ü; x=y', 'a="x"; b="y"', '; a=1', 'a=1; ; b=2',
           '; '.join('c%d=%d' % (i, i) for i in range(40)),
           '; '.join('c%d=%d' % (i, i) for i in range(32)),
           '; '.join('c%d=%d' % (i, i) for i in range(33)),
           'a=1; b=2; a=3', 'ab=1; a=2; b=3']


@pytest.mark.parametrize('header', COOKIES)
@pytest.mark.parametrize('name', ['Cookie', 'cookie', 'COOKIE'])
def test_cookies_whichever_is_read_first(header, name):
    want = expected_cookies(header)
    head = head_of([('Host', 'h'), (name, header), ('Accept', '*/*')])
    for headers_first in (False, True):
        method, path, query, minor, headers, _, _, _ = parse(_cffi, head)
        req = Request(Microdot(), None, method, path + '?' + query, '1.1',
                      headers)
        if headers_first:
            assert req.headers[name] == header.strip(' ')
        assert req.cookies == want
        assert list(req.cookies) == list(want)


def test_random_cookie_values():
    rng = random.Random(7)
    pieces = ['a', 'b', 'é', '=', ';', '; ', ' ', '\t', '"', '==', 'x', 'a=1']
    for _ in range(1500):
        header = ''.join(rng.choice(pieces)
                         for _ in range(rng.randrange(1, 10))).strip(' \t')
        fields = [('Host', 'h'), ('Cookie', header)]
        if rng.random() < 0.2:
            fields.append(('cookie', 'z=9'))  # repeated: no hint
        head = head_of(fields)
        method, path, query, minor, headers, _, _, _ = parse(_cffi, head)
        req = Request(Microdot(), None, method, path, '1.1', headers)
        if rng.random() < 0.5:
            req.headers
        want = expected_cookies('; '.join(v.strip(' \t') for n, v in fields
                                          if n.lower() == 'cookie'))
        assert req.cookies == want, header
        assert list(req.cookies) == list(want), header


def test_threads_with_their_own_name_lists():
    errors = []

    def run(seed):
        rng = random.Random(seed)
        for head in random_heads(rng, 400, 4):
            got = outcome(_cffi, head)
            if got != outcome(_pure, head):
                errors.append(head)
                return

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors


def test_no_cookies_before_any_plain_cookie(monkeypatch):
    from microdot import _cpython
    for hint in (_cffi.plain_cookie, False, None):
        monkeypatch.setattr(_cffi, 'plain_cookie', hint)
        for fields in ([('Host', 'h')], [('Cookie', '')]):
            method, path, query, minor, headers, _, _, _ = parse(
                _cffi, head_of(fields))
            req = Request(Microdot(), None, method, path, '1.1', headers)
            if _cpython._hint is _cffi:
                assert req.cookies == {}
