"""tests/mpy/core_fastpath_runner.py (the core's fast paths keep the public
behaviour) on CPython and on MicroPython's unix port, with each backend."""
import os
import subprocess
import sys

import pytest

from servers import micropython_command as micropython

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RUNNER = os.path.join(REPO, 'tests', 'mpy', 'core_fastpath_runner.py')
NATMOD = os.path.join(REPO, 'build', 'natmod', 'x64')
TIMEOUT = 120


def run(command, env):
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert ' 0 failed' in output, output
    return output


@pytest.mark.parametrize('backend', ['pure', 'cffi'])
def test_on_cpython(backend):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'python'),
               MICRODOT_BACKEND=backend)
    assert 'backend: ' + backend in run([sys.executable, RUNNER], env)


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_on_micropython(backend):
    env = dict(os.environ, MICROPYPATH=os.path.join(REPO, 'python') +
               ':.frozen', MICRODOT_BACKEND=backend)
    command = [micropython(), RUNNER]
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        command.append(NATMOD)
    assert 'backend: ' + backend in run(command, env)
