"""Slow and idle clients against the built-in server.

Hundreds of connections that send a head (or a body) slowly, or stall, or
idle between keep-alive requests: a new client must still be served, and the
server must close every such connection itself once its timeouts
(Microdot.request_timeout, Microdot.keep_alive_timeout) run out. The bounds
are generous: they catch "never", not "slow".
"""
import resource
import select
import socket
import time

import pytest

from servers import APPS, Server

TIMEOUT = 2  # request_timeout and keep_alive_timeout of the servers here
SERVED_WITHIN = 10  # a new client among the slow ones gets its answer
CLOSED_WITHIN = 20  # every slow connection is closed by then
COUNTS = {'cpython-cffi': 500, 'cpython-pure': 500,
          'micropython-pure': 50, 'micropython-c': 50}
PARTIAL_HEAD = b'GET / HTTP/1.1\r\nHost: x\r\n'


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        wanted = needed if hard == resource.RLIM_INFINITY else \
            min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < needed:
        pytest.skip('cannot open {} files (limit {})'.format(needed, soft))


# Where each test runs: the server loop is shared by both backends of an
# interpreter, so the long tests run on one of them.
EVERYWHERE = ['cpython-cffi', 'cpython-pure', 'micropython-c']
ONE = ['cpython-cffi']


@pytest.fixture
def slow_server(slow_target):
    """A server of its own (the slow connections would disturb others),
    with short timeouts, and the number of slow clients for its target."""
    count = COUNTS[slow_target]
    raise_fd_limit(2 * count + 200)  # the server inherits the limit
    srv = Server(slow_target, keep_alive_timeout=TIMEOUT,
                 request_timeout=TIMEOUT)
    srv.start()
    yield srv, count
    alive = srv.alive()
    output = srv.output()
    srv.stop()
    assert alive, 'the server died:\n' + output[-3000:]


def open_many(port, count, first_bytes):
    """count connections that each sent first_bytes."""
    socks = []
    try:
        for i in range(count):
            s = socket.create_connection(('127.0.0.1', port), timeout=10)
            if first_bytes:
                s.sendall(first_bytes)
            socks.append(s)
    except BaseException:
        close_all(socks)
        raise
    return socks


def close_all(socks):
    for s in socks:
        s.close()


def served_promptly(port):
    """A new client gets its answer while the slow ones hang on."""
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=SERVED_WITHIN) as s:
        s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = b''
        deadline = time.monotonic() + SERVED_WITHIN
        while time.monotonic() < deadline:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b'HTTP/1.1 200'), data[:200]
    assert data.endswith(b'hello'), data[:200]


def closed_by_server(s):
    """Whether the server closed s (EOF or reset), after at most one error
    response such as 408. Only call when s is readable."""
    try:
        data = s.recv(65536)
    except (ConnectionResetError, BrokenPipeError):
        return True
    if not data:
        return True
    assert data.startswith(b'HTTP/1.1 4'), \
        'unexpected bytes on a slow connection: {!r}'.format(data[:200])
    return False  # an error response; the EOF is still to come


def wait_all_closed(socks, within, trickle=None, period=0.5):
    """Waits until the server closed every socket in socks, calling
    trickle(open_socks) every `period` seconds meanwhile. Returns the
    sockets still open after `within` seconds."""
    open_socks = set(socks)
    deadline = time.monotonic() + within
    next_trickle = time.monotonic()
    while open_socks and time.monotonic() < deadline:
        if trickle is not None and time.monotonic() >= next_trickle:
            trickle(open_socks)
            next_trickle = time.monotonic() + period
        poller = select.poll()
        by_fd = {}
        for s in open_socks:
            poller.register(s, select.POLLIN)
            by_fd[s.fileno()] = s
        for fd, event in poller.poll(100):
            s = by_fd[fd]
            if closed_by_server(s):
                open_socks.discard(s)
    return open_socks


def send_byte(data):
    """A trickle step that sends the next byte of data on every socket."""
    position = {}

    def step(socks):
        for s in list(socks):
            i = position.get(s, 0)
            try:
                s.send(data[i % len(data):i % len(data) + 1])
            except OSError:
                continue  # closed meanwhile: the poll reports it
            position[s] = i + 1
    return step


@pytest.mark.parametrize('slow_target', EVERYWHERE)
def test_stalled_heads_closed_and_others_served(slow_server):
    srv, count = slow_server
    socks = open_many(srv.port, count, PARTIAL_HEAD)
    try:
        served_promptly(srv.port)
        left = wait_all_closed(socks, CLOSED_WITHIN)
        assert len(left) == 0, '{} of {} stalled connections still open'.format(
            len(left), count)
        served_promptly(srv.port)
    finally:
        close_all(socks)


@pytest.mark.parametrize('slow_target', EVERYWHERE)
def test_idle_keep_alive_connections_closed(slow_server):
    srv, count = slow_server
    # (each sends its request at once: a connection that has not sent
    # anything for keep_alive_timeout is idle already)
    socks = open_many(srv.port, count, b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    try:
        for s in socks:  # one response each, then idle
            data = b''
            while not data.endswith(b'hello'):
                chunk = s.recv(4096)
                assert chunk, 'closed before answering'
                data += chunk
        served_promptly(srv.port)
        left = wait_all_closed(socks, CLOSED_WITHIN)
        assert len(left) == 0, '{} of {} idle connections still open'.format(
            len(left), count)
    finally:
        close_all(socks)


@pytest.mark.parametrize('slow_target', EVERYWHERE)
def test_stalled_bodies_closed(slow_server):
    srv, count = slow_server
    head = (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n'
            b'only part of the body')
    socks = open_many(srv.port, count, head)
    try:
        served_promptly(srv.port)
        left = wait_all_closed(socks, CLOSED_WITHIN)
        assert len(left) == 0, '{} of {} stalled bodies still open'.format(
            len(left), count)
    finally:
        close_all(socks)


@pytest.mark.parametrize('slow_target', ONE + ['micropython-c'])
def test_trickled_heads_closed(slow_server):
    srv, count = slow_server
    socks = open_many(srv.port, count, PARTIAL_HEAD)
    try:
        trickle = send_byte(b'X-Slow: ' + b'a' * 50 + b'\r\n')
        # (a byte every half second on each; within: 5 request_timeouts)
        left = wait_all_closed(socks, 5 * TIMEOUT + 2, trickle)
        served_promptly(srv.port)
        assert len(left) == 0, '{} of {} trickling heads still open after {} s'.format(
            len(left), count, 5 * TIMEOUT + 2)
    finally:
        close_all(socks)


@pytest.mark.parametrize('slow_target', ONE + ['micropython-c'])
def test_trickled_bodies_closed(slow_server):
    srv, count = slow_server
    head = b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n'
    socks = open_many(srv.port, count, head)
    try:
        left = wait_all_closed(socks, 5 * TIMEOUT + 2, send_byte(b'b'))
        served_promptly(srv.port)
        assert len(left) == 0, '{} of {} trickling bodies still open after {} s'.format(
            len(left), count, 5 * TIMEOUT + 2)
    finally:
        close_all(socks)


# ---- a cap on concurrent connections ----------------------------------------

CAP_APP = '''
import sys
sys.path.insert(0, {apps!r})
from microdot import Microdot
Microdot.max_connections = 10
exec(open({app!r}).read())
'''


@pytest.mark.parametrize('target', ['cpython-pure', 'micropython-c'])
def test_connections_over_cap_refused(tmp_path, target):
    # The cap is set in a wrapper of server_app.py, before it runs.
    app = tmp_path / 'cap_app.py'
    app.write_text(CAP_APP.format(apps=str(APPS),
                                  app=str(APPS / 'server_app.py')))
    srv = Server(target, app=str(app))
    srv.start()
    socks = []
    try:
        time.sleep(0.5)  # let the start-up probe's connection end (it counts)
        socks = open_many(srv.port, 10, PARTIAL_HEAD)
        time.sleep(0.5)  # let the server accept them all
        with socket.create_connection(('127.0.0.1', srv.port),
                                      timeout=10) as s:
            s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
            data = s.recv(4096)
        assert data == b'' or data.startswith(b'HTTP/1.1 503'), data[:200]
    finally:
        close_all(socks)
        srv.stop()
