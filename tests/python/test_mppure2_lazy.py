"""The pure backend's request parameters (microdot._pure_args: url_decode,
parse_query, split_query, parse_cookies and the captures of dynamic routes)
are imported on first use, on CPython and on MicroPython's unix port: a
hello app never loads them; a query, a cookie or a dynamic route does, with
the same results. And microdot._pure's byte-class table, a literal, against
the rules it encodes."""
import os
import subprocess
import sys

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import _pure

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))

PROBE = r'''
import sys
import asyncio
from microdot import Microdot
from microdot.test_client import TestClient
from microdot import _backend

PARAMS = 'microdot._pure_args'
app = Microdot()


@app.route('/')
async def index(req):
    return 'Hello'


@app.route('/fixed/path')
async def fixed(req):
    return 'fixed'


@app.route('/q')
async def q(req):
    return req.args.get('a', '-') + '|' + req.cookies.get('c', '-')


# (after the fixed routes: a fixed route after a dynamic one makes the
# router try the dynamic one, at the latest when it is compiled)
@app.route('/items/<int:n>/<name>')
async def item(req, n, name):
    return '%d %s' % (n, name)


async def main():
    client = TestClient(app)
    print('backend', _backend.NAME)
    res = await client.get('/')
    res2 = await client.get('/fixed/path')
    print('hello', res.text, res2.text, PARAMS in sys.modules)
    res = await client.get('/items/-12/a%20b%C3%A9')
    print('dynamic', res.text, PARAMS in sys.modules)
    res = await client.get('/items/x/y')
    print('no int', res.status_code)
    res = await client.get('/q?a=x+y%21&b', headers={'Cookie': 'c=v; d=w'})
    print('query', res.text)

asyncio.run(main())
'''

EXPECTED = ['backend pure', 'hello Hello fixed False',
            'dynamic -12 a b\u00e9 True', 'no int 404', 'query x y!|v']


def _classes(c):
    """The classes of byte c, by the rules of _pure's comment."""
    token = c < 0x80 and (chr(c).isalnum() or chr(c) in "!#$%&'*+-.^_`|~")
    value = c == 9 or 0x20 <= c < 0x7f
    target = 0x20 < c < 0x7f and c != 0x23
    path = target and c != 0x3f
    return 0x40 | token * 1 | value * 2 | path * 4 | target * 8


def test_byte_class_table_follows_the_rules():
    assert _pure._CT == bytes(_classes(c) for c in range(256))


def test_params_are_the_same_functions_through_pure():
    from microdot import _pure_args
    from microdot._pure import split_query, parse_cookies  # as _cffi does
    assert split_query is _pure_args.split_query
    assert parse_cookies is _pure_args.parse_cookies
    assert _pure.url_decode is _pure_args.url_decode
    assert _pure.parse_query('a=1&b=%C3%A9+x&c') == ['a', '1', 'b', '\u00e9 x',
                                                    'c', '']
    with pytest.raises(ValueError) as e:
        _pure.url_decode('%ff', False)
    assert e.value.args[0] == 400


def test_dynamic_routes_match_through_params():
    router = _pure.compile_router(['/a', '/n/<int:n>', '/s/<path:p>/x'])
    assert _pure.match_route(router, '/a', 0) == (0, [])
    assert _pure.match_route(router, '/n/-7', 0) == (1, [-7])
    assert _pure.match_route(router, '/n/1234567890123456789', 0) is None
    assert _pure.match_route(router, '/n/-', 0) is None
    assert _pure.match_route(router, '/s/a/b%20c/x', 0) == (2, ['a/b c'])
    assert _pure.match_route(router, '/s/%ff/x', 0) is None


@pytest.mark.parametrize('runner', ['cpython', 'micropython'])
def test_hello_app_loads_no_params(runner, tmp_path):
    script = tmp_path / 'probe.py'
    script.write_text(PROBE)
    if runner == 'cpython':
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'python'),
                   MICRODOT_BACKEND='pure')
        command = [sys.executable, str(script)]
    else:
        from test_core_micropython import micropython, mpy_env
        env = mpy_env('pure')
        command = [micropython(), str(script)]
    result = subprocess.run(command, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split('\n')[:-1] == EXPECTED


def _args(backend, head):
    try:
        return backend.parse_request(head, 0, len(head), 0, *head_limits(head))
    except ValueError as e:
        return e.args


def head_limits(head):
    return (60, 400, 8) if b'limits' in head else (8190, 16384, 100)


def _message_of_every_kind():
    """Heads rejected for each of the messages of _pure's _error."""
    ok = b'GET / HTTP/1.1\r\nHost: x\r\n'
    return [b'GET /' + b'a' * 80 + b' HTTP/1.1\r\nlimits: 1\r\n\r\n',
            ok + b'limits: ' + b'x' * 500 + b'\r\n\r\n',
            b'GET / HTTP/1.1\r\n\r\n',
            ok + b'Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
            b'G@T / HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET \x01/ HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET / HTXP/1.1\r\nHost: x\r\n\r\n',
            b'GET / HTTP/1.1x\r\nHost: x\r\n\r\n',
            b'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
            ok + b'limits: 1\r\n' + b'a: b\r\n' * 9 + b'\r\n',
            ok + b'a@: b\r\n\r\n',
            ok + b'a: \xff\r\n\r\n',
            ok + b'a: b\x01\r\n\r\n',
            ok + b'Host: y\r\n\r\n',
            ok + b'Expect: x\r\n\r\n',
            ok + b'Content-Length: 1x\r\n\r\n',
            ok + b'Content-Length: 99999999999999999999\r\n\r\n',
            ok + b'Content-Length: 1\r\nContent-Length: 2\r\n\r\n',
            b'GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n',
            ok + b'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n',
            ok + b'Transfer-Encoding: gzip\r\n\r\n',
            ok + b'a: b\rc\r\n\r\n',
            b'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET http://u@x/ HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET HTTPS://x/p HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET hTtP://x HTTP/1.1\r\nHost: x\r\n\r\n']


def test_every_message_is_raised_as_the_c_core_words_it(monkeypatch):
    # each of _error's messages (but the guard for a head the parser gives up on,
    # which no head reaches), with the same code and words as md_http.c's
    # (through the cffi backend where it is built), by the byte-by-byte
    # parser MicroPython runs and by CPython's fast path
    messages = [_pure._error(400, n).args[1] for n in range(25)]
    assert messages[2] == 'malformed request head'
    assert messages[0] == 'request line too long'
    assert messages[24] == 'empty authority in request target'
    assert all(m and '|' not in m for m in messages)
    heads = _message_of_every_kind()
    for fast in (False, True):
        monkeypatch.setattr(_pure, '_FAST', fast)
        got = [_args(_pure, head) for head in heads]
        raised = [a[1] for a in got[:-2]]
        assert set(raised) == set(messages) - {'malformed request head'}
        assert got[-2][:2] == ('GET', '/p') and got[-1][:2] == ('GET', '/')
    try:
        from microdot import _cffi
    except ImportError:
        return
    assert [_args(_cffi, head) for head in heads] == got


def test_messages_on_micropython(tmp_path, monkeypatch):
    # the module imported alone, as the vector runner does
    from test_core_micropython import micropython
    heads = _message_of_every_kind()
    script = tmp_path / 'messages.py'
    script.write_text('''import _pure
for head in %r:
    limits = (60, 400, 8) if b'limits' in head else (8190, 16384, 100)
    try:
        r = _pure.parse_request(head, 0, len(head), 0, *limits)
        print('ok', r[0], r[1])
    except ValueError as e:
        print(e.args[0], e.args[1])
print(_pure._FAST, '_pure_args' in __import__('sys').modules)
''' % (heads,))
    env = dict(os.environ, MICROPYPATH=os.path.join(REPO, 'python', 'microdot'))
    result = subprocess.run([micropython(), str(script)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.setattr(_pure, '_FAST', False)
    want = []
    for head in heads:
        r = _args(_pure, head)
        want.append('%s %s' % ((r[0], r[1]) if isinstance(r[0], int) else ('ok ' + r[0], r[1])))
    assert result.stdout.split('\n')[:-1] == want + ['False False']
