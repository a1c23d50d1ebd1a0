"""Runs test apps (tests/apps/*.py) as real servers in a subprocess, on
CPython or on the MicroPython unix port, and talks to them over raw sockets.

Every wait here is bounded: starting a server, reading a response, waiting
for a close or for the process to exit.

Targets (microdot comes from <repo>/python, or from the directory named by
MICRODOT_TEST_SOURCE):
    cpython-cffi      the virtualenv's python with the cffi extension built in
                      place (skipped when it is missing, unless
                      MICRODOT_REQUIRE_CFFI=1)
    cpython-pure      the same python, MICRODOT_BACKEND=pure
    micropython-pure  micropython, MICRODOT_BACKEND=pure
    micropython-c     micropython with _microdot.mpy from build/natmod (or
                      build/natmod/x64), MICRODOT_BACKEND=c (skipped when the
                      .mpy is missing)
"""
import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / 'tests' / 'apps'
SOURCE = Path(os.environ.get('MICRODOT_TEST_SOURCE') or REPO / 'python')
NATMOD_DIRS = [REPO / 'build' / 'natmod', REPO / 'build' / 'natmod' / 'x64']
TARGETS = ['cpython-cffi', 'cpython-pure', 'micropython-pure',
           'micropython-c']

START_TIMEOUT = 20
IO_TIMEOUT = 10
CLOSE_TIMEOUT = 5


def micropython_command():
    here = Path(sys.executable).parent / 'micropython'
    if here.exists():
        return str(here)
    found = shutil.which('micropython')
    if not found:
        pytest.skip('micropython is not installed')
    return found


def natmod_dir():
    for path in NATMOD_DIRS:
        if (path / '_microdot.mpy').exists():
            return path
    return None


_cffi_available = []


def cffi_available():
    """Whether microdot._cffi imports from <repo>/python (checked once)."""
    if not _cffi_available:
        env = dict(os.environ, PYTHONPATH=str(SOURCE))
        probe = subprocess.run(
            [sys.executable, '-c', 'import microdot._cffi'], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        _cffi_available.append(probe.returncode == 0)
    return _cffi_available[0]


def target_command(target):
    """The command and environment that run an app script on `target`."""
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    if target.startswith('cpython'):
        env['PYTHONPATH'] = str(SOURCE)
        env['PYTHONUNBUFFERED'] = '1'
        if target == 'cpython-pure':
            env['MICRODOT_BACKEND'] = 'pure'
        elif not cffi_available():
            if os.environ.get('MICRODOT_REQUIRE_CFFI') != '1':
                pytest.skip('the cffi extension is not built in place')
            pytest.fail('the cffi extension is not built in place')
        else:
            env['MICRODOT_BACKEND'] = 'cffi'
        return [sys.executable], env
    if target == 'micropython-pure':
        env['MICROPYPATH'] = '{}:.frozen'.format(SOURCE)
        env['MICRODOT_BACKEND'] = 'pure'
        return [micropython_command()], env
    if target == 'micropython-c':
        natmod = natmod_dir()
        if natmod is None:
            pytest.skip('build/natmod/_microdot.mpy has not been built')
        env['MICROPYPATH'] = '{}:{}:.frozen'.format(SOURCE, natmod)
        env['MICRODOT_BACKEND'] = 'c'
        return [micropython_command()], env
    raise ValueError(target)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class ServerError(Exception):
    pass


class Server:
    """One app running in a subprocess. `settings` become MICRODOT_TEST_*
    environment variables that the app reads (see tests/apps/server_app.py).
    """

    def __init__(self, target, app='server_app.py', nofile=None,
                 heapsize=None, **settings):
        self.target = target
        self.app = app
        self.nofile = nofile  # RLIMIT_NOFILE of the server process
        self.heapsize = heapsize  # MicroPython heap, such as '512k'
        self.settings = settings
        self.proc = None
        self.port = None
        self._log = None
        self._output = ''

    # -- lifecycle --------------------------------------------------------
    def start(self):
        cmd, env = target_command(self.target)
        if self.heapsize and self.target.startswith('micropython'):
            cmd = cmd + ['-X', 'heapsize=' + self.heapsize]
        for name, value in self.settings.items():
            env['MICRODOT_TEST_' + name.upper()] = str(value)
        for attempt in range(3):
            self.port = free_port()
            env['MICRODOT_TEST_PORT'] = str(self.port)
            self._log = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(
                cmd + [str(APPS / self.app), str(self.port)], env=env,
                cwd=str(APPS), stdin=subprocess.DEVNULL, stdout=self._log,
                stderr=subprocess.STDOUT, preexec_fn=self._limit_files)
            if self._wait_listening():
                return self
            output = self.output()
            self.stop()
            if 'in use' not in output and 'EADDRINUSE' not in output:
                break
        raise ServerError('{} did not start on {}:\n{}'.format(
            self.app, self.target, output[-3000:]))

    def _limit_files(self):
        if self.nofile:
            import resource
            resource.setrlimit(resource.RLIMIT_NOFILE,
                               (self.nofile, self.nofile))

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(('127.0.0.1', self.port),
                                         timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout=IO_TIMEOUT):
        """The exit code, or None if the process is still running."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """Ends the process and keeps its output for output()."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            if self.wait_exit(5) is None:
                self.proc.kill()
                self.wait_exit(5)
        if self._log is not None:
            self._output = self.output()
            self._log.close()
            self._log = None

    def output(self):
        if self._log is None:
            return self._output
        self._log.seek(0)
        return self._log.read().decode('utf-8', 'replace')

    # -- clients ----------------------------------------------------------
    @property
    def url(self):
        return 'http://127.0.0.1:{}'.format(self.port)

    def connect(self, timeout=IO_TIMEOUT):
        return Conn(socket.create_connection(('127.0.0.1', self.port),
                                             timeout=timeout))


class ServerPool:
    """Servers shared by the tests of a session, keyed by target and
    settings; a server that died is started again for the next test."""

    def __init__(self):
        self.servers = {}

    def get(self, target, app='server_app.py', **settings):
        key = (target, app, tuple(sorted(settings.items())))
        server = self.servers.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.stop()
            server = Server(target, app, **settings).start()
            self.servers[key] = server
        return server

    def close(self):
        for server in self.servers.values():
            server.stop()
        self.servers.clear()


# Test modules import the *_fixture functions; pytest knows them by `name`.
@pytest.fixture(scope='session', name='server_pool')
def server_pool_fixture():
    pool = ServerPool()
    yield pool
    pool.close()


@pytest.fixture(params=TARGETS, name='target')
def target_fixture(request):
    return request.param


def check_still_running(server):
    """Fails the test when the server died while the test ran."""
    if not server.alive():
        pytest.fail('the server exited (code {}) during the test:\n{}'.format(
            server.proc.returncode, server.output()[-3000:]))


@pytest.fixture(name='server')
def server_fixture(server_pool, target):
    """The shared server_app.py with default settings on `target`."""
    srv = server_pool.get(target)
    yield srv
    check_still_running(srv)


@pytest.fixture(name='fresh_server')
def fresh_server_fixture(target):
    """A server of its own, for tests that stop it or read its output.
    Use as `fresh_server(**settings)`."""
    started = []

    def start(app='server_app.py', nofile=None, heapsize=None, **settings):
        srv = Server(target, app, nofile=nofile, heapsize=heapsize,
                     **settings)
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.stop()


# -- raw HTTP/1.x over a socket ----------------------------------------------

class Reply:
    """One response as read off the wire."""

    def __init__(self, status_line, headers, body=b'', framing=None, raw=b''):
        self.status_line = status_line
        parts = status_line.split(' ', 2)
        self.version = parts[0]
        self.status = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ''
        self.header_list = headers
        self.body = body
        self.framing = framing  # 'length', 'chunked', 'close' or None
        self.raw_body = raw      # body bytes exactly as framed on the wire

    def header(self, name, default=None):
        name = name.lower()
        for key, value in self.header_list:
            if key.lower() == name:
                return value
        return default

    def headers_named(self, name):
        name = name.lower()
        return [v for k, v in self.header_list if k.lower() == name]

    def __repr__(self):
        return '<Reply {!r} {!r} body={!r}>'.format(
            self.status_line, self.header_list, self.body[:200])


class Closed(Exception):
    """The server closed the connection before a whole response arrived."""


class Conn:
    """A client socket with a receive buffer. Every read is bounded by the
    socket timeout and an overall deadline."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''
        self.eof = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        """Sends everything it can; a server that closed early is not an
        error here (the test then checks what came back)."""
        if isinstance(data, str):
            data = data.encode()
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def _fill(self, deadline):
        if self.eof:
            raise Closed('connection closed; received so far: {!r}'.format(
                self.buf[:500]))
        self.sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b''
        except socket.timeout:
            raise TimeoutError('no data from the server within the timeout; '
                               'buffered: {!r}'.format(self.buf[:500]))
        if not data:
            self.eof = True
            raise Closed('connection closed; received so far: {!r}'.format(
                self.buf[:500]))
        self.buf += data

    def has_data(self):
        """Whether bytes (or EOF) are waiting, without blocking."""
        import select
        return bool(self.buf) or bool(select.select([self.sock], [], [], 0)[0])

    def read_until(self, marker, timeout=IO_TIMEOUT):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            self._fill(deadline)
        i = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def read_exactly(self, n, timeout=IO_TIMEOUT):
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_to_eof(self, timeout=IO_TIMEOUT):
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._fill(deadline)
        except Closed:
            pass
        data, self.buf = self.buf, b''
        return data

    def read_head(self, timeout=IO_TIMEOUT):
        head = self.read_until(b'\r\n\r\n', timeout)
        lines = head[:-4].decode('latin-1').split('\r\n')
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers.append((name, value.strip()))
        return lines[0], headers

    def read_reply(self, method='GET', timeout=IO_TIMEOUT):
        """Reads one final response (1xx interim responses are returned as
        they come: call again for the final one)."""
        status_line, headers = self.read_head(timeout)
        reply = Reply(status_line, headers)
        if (method == 'HEAD' or reply.status < 200
                or reply.status in (204, 304)):
            return reply
        te = (reply.header('Transfer-Encoding') or '').lower()
        length = reply.header('Content-Length')
        if te == 'chunked':
            reply.body, reply.raw_body = self._read_chunked(timeout)
            reply.framing = 'chunked'
        elif length is not None:
            reply.body = reply.raw_body = self.read_exactly(int(length),
                                                            timeout)
            reply.framing = 'length'
        else:
            reply.body = reply.raw_body = self.read_to_eof(timeout)
            reply.framing = 'close'
        return reply

    def _read_chunked(self, timeout):
        deadline = time.monotonic() + timeout
        body = raw = b''
        while True:
            line = self.read_until(b'\r\n', deadline - time.monotonic())
            raw += line
            size = int(line.split(b';')[0].strip(), 16)
            if size == 0:
                while True:  # trailers up to the blank line
                    line = self.read_until(b'\r\n',
                                           deadline - time.monotonic())
                    raw += line
                    if line == b'\r\n':
                        return body, raw
            data = self.read_exactly(size + 2, deadline - time.monotonic())
            assert data.endswith(b'\r\n'), 'chunk not followed by CRLF: %r' % (
                data[-20:],)
            raw += data
            body += data[:-2]

    def request(self, method='GET', path='/', headers=None, body=b'',
                version='1.1', timeout=IO_TIMEOUT):
        self.send(build_request(method, path, headers, body, version))
        return self.read_reply(method, timeout)

    def wait_closed(self, timeout=CLOSE_TIMEOUT):
        """True when the server closes the connection (EOF or reset) within
        `timeout` without sending anything more; False if it stays open.
        Extra bytes are an error: they would be an unexpected response."""
        if self.buf:
            raise AssertionError('unexpected bytes after the response: '
                                 '{!r}'.format(self.buf[:500]))
        if self.eof:
            return True
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError as exc:
            if exc.errno in (errno.ECONNRESET, errno.EPIPE):
                return True
            raise
        if data:
            raise AssertionError('unexpected bytes after the response: '
                                 '{!r}'.format(data[:500]))
        self.eof = True
        return True

    def wait_closed_after_error(self, timeout=IO_TIMEOUT):
        """Like wait_closed, but the server may first send one error
        response (such as 408) before closing."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._fill(deadline)
        except Closed:
            pass
        except TimeoutError:
            return False
        if self.buf:
            assert self.buf.startswith((b'HTTP/1.1 4', b'HTTP/1.0 4')), \
                'unexpected bytes before the close: {!r}'.format(
                    self.buf[:300])
            self.buf = b''
        return True

    def abort(self):
        """Closes with a TCP reset, like a client that goes away."""
        import struct
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack('ii', 1, 0))
        self.sock.close()


def build_request(method='GET', path='/', headers=None, body=b'',
                  version='1.1'):
    if isinstance(body, str):
        body = body.encode()
    lines = ['{} {} HTTP/{}'.format(method, path, version)]
    names = set()
    for name, value in (headers or {}).items() if isinstance(
            headers, dict) else (headers or []):
        lines.append('{}: {}'.format(name, value))
        names.add(name.lower())
    if version == '1.1' and 'host' not in names:
        lines.append('Host: 127.0.0.1')
    if body and 'content-length' not in names and \
            'transfer-encoding' not in names:
        lines.append('Content-Length: {}'.format(len(body)))
    return ('\r\n'.join(lines) + '\r\n\r\n').encode() + body


def chunked(*pieces, extension=b'', trailers=b''):
    """Frames byte strings as a chunked body."""
    out = b''
    for piece in pieces:
        out += b'%x%s\r\n%s\r\n' % (len(piece), extension, piece)
    return out + b'0\r\n' + trailers + b'\r\n'


def serve_in_thread(app, timeout=10):
    """Runs ``app.start_server`` on 127.0.0.1 (a free port) in an event loop
    of its own thread; a generator for fixtures: yields the port, then shuts
    the server down and checks that its thread ended."""
    import asyncio
    import threading

    ready = threading.Event()
    box = {}

    async def main():
        box['loop'] = asyncio.get_running_loop()
        task = asyncio.ensure_future(app.start_server(host='127.0.0.1',
                                                      port=0))
        while app.server is None:
            await asyncio.sleep(0.01)
        box['port'] = app.server.sockets[0].getsockname()[1]
        ready.set()
        await task

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    assert ready.wait(timeout)
    yield box['port']
    box['loop'].call_soon_threadsafe(app.shutdown)
    thread.join(timeout)
    assert not thread.is_alive()
