"""Shared by the test_review5_* files (no tests here): run a user's
script, or serve a user's app (app.py in a temporary directory) on a real
server: the built-in one on CPython or on MicroPython's unix port, uvicorn
(ASGI) or gunicorn (WSGI). Every wait is bounded; every process is
stopped through its own process group."""
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from servers import free_port, micropython_command, natmod_dir, SOURCE

BIN = Path(sys.executable).parent
START_TIMEOUT = 20
KINDS = ['builtin', 'micropython', 'asgi', 'wsgi']

# The head of an app that runs everywhere: the Microdot class of the server
# it is given to (APP_KIND), app.run() on 127.0.0.1 when run as a script.
APP_HEAD = '''
import sys
try:
    import os
    KIND = os.getenv('APP_KIND') or 'builtin'
except (ImportError, AttributeError):
    KIND = 'builtin'
if KIND == 'asgi':
    from microdot.asgi import Microdot
elif KIND == 'wsgi':
    from microdot.wsgi import Microdot
else:
    from microdot import Microdot
'''
APP_TAIL = '''
if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


def environment(interpreter):
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    if interpreter == 'micropython':
        paths = [str(SOURCE)]
        if natmod_dir() is not None:
            paths.append(str(natmod_dir()))
        env['MICROPYPATH'] = ':'.join(paths + ['.frozen'])
        return [micropython_command()], env
    env['PYTHONPATH'] = str(SOURCE)
    return [sys.executable], env


def run_script(interpreter, source, tmp_path):
    """Runs `source` as a script in tmp_path; returns its output lines
    (fails on an error exit)."""
    script = tmp_path / 'script.py'
    script.write_text(textwrap.dedent(source))
    cmd, env = environment(interpreter)
    proc = subprocess.run(cmd + [str(script)], cwd=str(tmp_path), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60)
    output = proc.stdout.decode(errors='replace')
    assert proc.returncode == 0, output
    return output.splitlines()


def _tool(name):
    path = BIN / name
    if not path.exists():
        pytest.skip(name + ' is not installed')
    return str(path)


class Served:
    """app.py of `workdir` served by `kind` on 127.0.0.1:port."""

    def __init__(self, kind, workdir):
        self.kind = kind
        self.port = free_port()
        cmd, env = environment('micropython' if kind == 'micropython'
                               else 'cpython')
        env['APP_KIND'] = kind
        if kind in ('builtin', 'micropython'):
            cmd = cmd + ['app.py', str(self.port)]
        elif kind == 'asgi':
            cmd = [_tool('uvicorn'), 'app:app', '--port', str(self.port),
                   '--log-level', 'warning']
        else:
            cmd = [_tool('gunicorn'), 'app:app', '-b',
                   '127.0.0.1:{}'.format(self.port), '-k', 'gthread',
                   '--threads', '4', '--timeout', '30']
        self.proc = subprocess.Popen(
            cmd, cwd=str(workdir), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                if time.monotonic() > deadline or \
                        self.proc.poll() is not None:
                    raise RuntimeError(kind + ' did not start:\n' +
                                       self.stop())
                time.sleep(0.05)

    def stop(self):
        """Stops the server (SIGTERM, then SIGKILL); returns its output."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        output = self.proc.stdout.read().decode(errors='replace')
        self.proc.stdout.close()
        return output


@pytest.fixture
def serve(tmp_path):
    """serve(kind, body) writes APP_HEAD + body + APP_TAIL to app.py in
    tmp_path and serves it; returns the Served (stopped at the end)."""
    started = []

    def start(kind, body, files=None):
        source = APP_HEAD + textwrap.dedent(body) + APP_TAIL
        (tmp_path / 'app.py').write_text(source)
        for name, text in (files or {}).items():
            (tmp_path / name).write_text(text)
        started.append(Served(kind, tmp_path))
        return started[-1]

    yield start
    for served in started:
        served.stop()
