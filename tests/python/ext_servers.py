"""Starts tests/python/ext_app.py under real servers (the built-in one on
CPython or MicroPython, uvicorn, hypercorn, gunicorn) for the extension
tests. Every wait is bounded; every process is stopped by its own pid.

MICRODOT_PYTHONPATH overrides where the microdot package is taken from
(default: <repo>/python).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
NATMOD = REPO / 'build' / 'natmod' / 'x64'
START_TIMEOUT = 20


def package_path():
    return os.environ.get('MICRODOT_PYTHONPATH') or str(REPO / 'python')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tool(name):
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(name + ' is not installed')
    return found


class Proc:
    """One server process serving ext_app on 127.0.0.1:port."""

    def __init__(self, kind, flavor='', **env):
        self.kind = kind
        self.port = free_port()
        self.state = tempfile.NamedTemporaryFile(delete=False,
                                                 suffix='.state').name
        self.env = dict(os.environ)
        self.env.pop('MICRODOT_BACKEND', None)
        self.env.update({'MICRODOT_TEST_FLAVOR': flavor,
                         'MICRODOT_TEST_STATE': self.state,
                         'PYTHONPATH': package_path() + ':' + str(HERE),
                         'PYTHONUNBUFFERED': '1'})
        self.env.update({k: str(v) for k, v in env.items()})
        self.log = tempfile.TemporaryFile()
        self.proc = None

    def command(self):
        port = str(self.port)
        if self.kind == 'builtin':
            return [sys.executable, str(HERE / 'ext_app.py'), port]
        if self.kind == 'micropython':
            self.env['MICROPYPATH'] = package_path() + ':.frozen'
            self.env['MICRODOT_BACKEND'] = 'pure'
            return [tool('micropython'), str(HERE / 'ext_app.py'), port]
        if self.kind == 'micropython-c':
            if not (NATMOD / '_microdot.mpy').exists():
                pytest.skip('build/natmod/x64/_microdot.mpy is not built')
            self.env['MICROPYPATH'] = '{}:{}:.frozen'.format(package_path(),
                                                             NATMOD)
            self.env['MICRODOT_BACKEND'] = 'c'
            return [tool('micropython'), str(HERE / 'ext_app.py'), port]
        if self.kind == 'uvicorn':
            return [tool('uvicorn'), 'ext_app:app', '--port', port,
                    '--ws', 'wsproto', '--lifespan', 'on',
                    '--log-level', 'warning']
        if self.kind == 'hypercorn':
            return [tool('hypercorn'), 'ext_app:app',
                    '--bind', '127.0.0.1:' + port]
        if self.kind.startswith('gunicorn'):
            # gunicorn, gunicorn-2 (two sync workers), gunicorn-gthread
            cmd = [tool('gunicorn'), 'ext_app:app', '-b', '127.0.0.1:' + port,
                   '--timeout', '30', '--graceful-timeout', '2']
            if self.kind == 'gunicorn-2':
                cmd += ['-w', '2']
            elif self.kind == 'gunicorn-gthread':
                cmd += ['-k', 'gthread', '--threads', '4']
            return cmd
        raise ValueError(self.kind)

    def start(self):
        self.proc = subprocess.Popen(
            self.command(), env=self.env, cwd=str(HERE),
            stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return self
            except OSError:
                time.sleep(0.05)
        output = self.output()
        self.stop()
        raise RuntimeError('{} did not start:\n{}'.format(self.kind, output))

    @property
    def url(self):
        return 'http://127.0.0.1:{}'.format(self.port)

    @property
    def ws_url(self):
        return 'ws://127.0.0.1:{}'.format(self.port)

    def stop(self):
        """SIGTERM (so servers run their shutdown), then SIGKILL."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode('utf-8', 'replace')

    def events(self):
        with open(self.state) as f:
            return f.read().split('\n')[:-1]

    def wait_event(self, event, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if event in self.events():
                return True
            time.sleep(0.05)
        return False


def serve(kind, flavor='', **env):
    """A started Proc; use as a context manager or call stop()."""
    return Proc(kind, flavor, **env).start()
