"""Runs tests/mpy/ext_runner.py (WebSocket and SSE behaviours, in memory)
on the MicroPython unix port with the pure backend and with _microdot.mpy,
and on CPython. The socket-level MicroPython tests are the 'micropython'
servers of test_websocket_server.py, test_sse.py and test_tls.py."""
import os
import subprocess
import sys

import pytest

from ext_servers import REPO, NATMOD, tool

RUNNER = str(REPO / 'tests' / 'mpy' / 'ext_runner.py')


def run_runner(cmd, env):
    proc = subprocess.run(cmd + [RUNNER], env=env, capture_output=True,
                          timeout=120, cwd=str(REPO))
    out = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 0, out
    assert out.rstrip().endswith(' passed, 0 failed'), out
    return out


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_ext_runner_on_micropython(backend):
    env = dict(os.environ)
    path = str(REPO / 'python')
    if backend == 'c':
        if not (NATMOD / '_microdot.mpy').exists():
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        path += ':' + str(NATMOD)
    env.update(MICROPYPATH=path + ':.frozen', MICRODOT_BACKEND=backend)
    out = run_runner([tool('micropython')], env)
    assert 'backend ' + backend in out


def test_ext_runner_on_cpython():
    env = dict(os.environ, PYTHONPATH=str(REPO / 'python'))
    run_runner([sys.executable], env)
