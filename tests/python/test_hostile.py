"""The hostile-request corpus (tests/vectors/hostile.json) over real sockets.

Built-in server, every case, on CPython with the cffi and the pure backend:
the expected status, the connection closed (or kept) as required, no 5xx,
no hang (every read is bounded), no crash (the server answers afterwards)
and no smuggled response (a request hidden in a body is never answered: the
next response on a kept connection must be the one to our own follow-up).

A subset runs on the MicroPython unix port (pure and .mpy backends), and the
whole corpus runs under uvicorn with microdot.asgi, where uvicorn owns the
HTTP parsing and we judge only what reaches the app: no 5xx from the app, no
hidden request ever dispatched, uvicorn still serving afterwards.
"""
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

from servers import (  # noqa: F401 (fixtures)
    REPO, Closed, Reply, free_port, server_fixture, server_pool_fixture)

with open(os.path.join(str(REPO), 'tests', 'vectors', 'hostile.json')) as f:
    CASES = json.load(f)['cases']

IO_TIMEOUT = 5  # every response here is immediate; this only bounds a hang

# Cases where the built-in server is wrong today: {name: reason}.
KNOWN_BUGS = {}

FOLLOW_UP = b'GET /version HTTP/1.1\r\nHost: x\r\n\r\n'
HIDDEN_PATH = '/smuggled'


def expand(data):
    """A case input (string or list of parts) as bytes."""
    if isinstance(data, str):
        return data.encode('latin-1')
    out = []
    for part in data:
        if isinstance(part, list):
            out.append(part[0].encode('latin-1') * part[1])
        else:
            out.append(part.encode('latin-1'))
    return b''.join(out)


def is_server_error(status):
    """5xx other than the two a hostile request can earn (501, 505)."""
    return status >= 500 and status not in (501, 505)


def first_method(data):
    return data.split(b' ', 1)[0].decode('latin-1')


def check_case(server, case, check_close=True):
    data = expand(case['input'])
    expect = case['expect']
    statuses = [expect['status']] + expect.get('more', [])
    with server.connect() as conn:
        conn.send(data)
        method = first_method(data)
        for i, status in enumerate(statuses):
            try:
                reply = conn.read_reply(method if i == 0 else 'GET',
                                        IO_TIMEOUT)
            except Closed as exc:
                pytest.fail('response {} of {}: the server closed instead of '
                            'answering {}: {}'.format(i + 1, len(statuses),
                                                      status, exc))
            assert reply.status == status or not is_server_error(reply.status), \
                'a server error: {!r}'.format(reply)
            assert reply.status == status, \
                'response {}: expected {}, got {!r}'.format(i + 1, status,
                                                            reply)
            if i == 0 and 'body' in expect:
                assert reply.body == expect['body'].encode('latin-1'), reply
        if expect['close']:
            if check_close:
                assert conn.wait_closed(), 'the connection was left open'
        else:
            assert conn.send(FOLLOW_UP), 'the server closed the connection'
            try:
                reply = conn.read_reply(timeout=IO_TIMEOUT)
            except Closed as exc:
                pytest.fail('the connection should stay open: {}'.format(exc))
            assert (reply.status, reply.body) == (200, b'1.1'), \
                'not the answer to the follow-up request (smuggled?): ' \
                '{!r}'.format(reply)
    if expect['close']:
        with server.connect() as conn:
            assert conn.request('GET', '/').body == b'hello'



def params(cases):
    out = []
    for case in cases:
        reason = KNOWN_BUGS.get(case['name'])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason \
            else []
        out.append(pytest.param(case, id=case['name'], marks=marks))
    return out


@pytest.mark.parametrize('target', ['cpython-cffi', 'cpython-pure'])
@pytest.mark.parametrize('case', params(CASES))
def test_hostile_builtin_cpython(server, case):
    check_case(server, case)


def micropython_subset():
    """Every fourth case, plus every smuggling case."""
    return [c for i, c in enumerate(CASES)
            if i % 4 == 0 or 'smuggle' in c['name']]


MPY_CASES = micropython_subset()


@pytest.mark.parametrize('target', ['micropython-pure', 'micropython-c'])
@pytest.mark.parametrize('case', params(MPY_CASES))
def test_hostile_builtin_micropython(server, case):
    check_case(server, case)


# ---- uvicorn + microdot.asgi ----------------------------------------------

ASGI_APP = '''
from microdot.asgi import Microdot, Request

Request.max_body_length = 4 * 1024
app = Microdot()
seen = []


@app.before_request
async def record(request):
    if request.path != '/seen':
        seen.append(request.path)


@app.get('/')
async def index(request):
    return 'hello'


@app.get('/version')
async def version(request):
    return request.http_version


@app.route('/echo', methods=['POST', 'PUT'])
async def echo(request):
    return request.body or b''


@app.get('/seen')
async def seen_paths(request):
    return {'paths': seen}
'''


def uvicorn_http_modes():
    modes = ['h11']
    try:
        import httptools  # noqa: F401
        modes.append('httptools')
    except ImportError:
        pass
    return modes


def parse_replies(raw):
    """The status codes of the responses in raw (framed by Content-Length,
    chunked or close), as far as they can be told apart."""
    statuses = []
    while raw.startswith(b'HTTP/'):
        end = raw.find(b'\r\n\r\n')
        if end < 0:
            break
        lines = raw[:end].decode('latin-1').split('\r\n')
        reply = Reply(lines[0], [tuple(x.strip() for x in ln.split(':', 1))
                                 for ln in lines[1:] if ':' in ln])
        statuses.append(reply.status)
        raw = raw[end + 4:]
        length = reply.header('Content-Length')
        if length is not None:
            raw = raw[int(length):]
        elif (reply.header('Transfer-Encoding') or '').lower() == 'chunked':
            end = raw.find(b'0\r\n\r\n')
            raw = raw[end + 5:] if end >= 0 else b''
        else:
            break
    return statuses


def exchange(port, data, deadline=4.0):
    """Sends data and returns what came back until the server closed the
    connection (uvicorn closes idle ones after 1 s) or the deadline."""
    sock = socket.create_connection(('127.0.0.1', port), timeout=deadline)
    out = b''
    try:
        try:
            sock.sendall(data)
        except OSError:
            pass
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            sock.settimeout(max(0.05, end - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        sock.close()
    return out


@pytest.fixture(params=uvicorn_http_modes())
def uvicorn_server(request, tmp_path):
    pytest.importorskip('uvicorn')
    if not os.path.exists(os.path.join(str(REPO), 'python', 'microdot',
                                       'asgi.py')):
        pytest.skip('microdot.asgi does not exist')
    (tmp_path / 'hostile_asgi_app.py').write_text(textwrap.dedent(ASGI_APP))
    port = free_port()
    env = dict(os.environ, PYTHONPATH='{}:{}'.format(tmp_path,
                                                     REPO / 'python'))
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, '-m', 'uvicorn', 'hostile_asgi_app:app',
         '--host', '127.0.0.1', '--port', str(port), '--http',
         request.param, '--timeout-keep-alive', '1', '--log-level',
         'warning'], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail('uvicorn did not start:\n' +
                                log.read().decode(errors='replace'))
                time.sleep(0.1)
        yield port, proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_hostile_under_uvicorn_asgi(uvicorn_server):
    port, proc, log = uvicorn_server
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        raws = list(pool.map(lambda c: exchange(port, expand(c['input'])),
                             CASES))
    problems = []
    for case, raw in zip(CASES, raws):
        statuses = parse_replies(raw)
        if any(is_server_error(s) for s in statuses):
            problems.append('{}: {} ({!r})'.format(case['name'], statuses,
                                                   raw[:300]))
    assert proc.poll() is None, 'uvicorn exited'
    raw = exchange(port, b'GET /seen HTTP/1.1\r\nHost: x\r\n'
                   b'Connection: close\r\n\r\n')
    assert parse_replies(raw) == [200], raw[:500]
    paths = json.loads(raw.split(b'\r\n\r\n', 1)[1])['paths']
    assert HIDDEN_PATH not in paths, 'a hidden request reached the app'
    assert '/' in paths and '/echo' in paths  # the corpus did reach the app
    assert not problems, '5xx from the app:\n' + '\n'.join(problems)
