"""The application extensions (sessions, CORS, auth, login, CSRF,
multipart, utemplate, 1.x names) on MicroPython's unix port: the shared
tests through tests/mpy/app_ext_runner.py, with the pure backend and with the
_microdot native module."""
import os
import subprocess

import pytest

from servers import micropython_command

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NATMOD = os.path.join(REPO, 'build', 'natmod', 'x64')


def utemplate_dir():
    return subprocess.check_output(
        ['bash', os.path.join(REPO, 'tests', 'fetch_utemplate.sh')],
        text=True, timeout=120).strip()


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_app_extensions_on_micropython(backend):
    path = [os.path.join(REPO, 'python'), '.frozen', utemplate_dir()]
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            if os.environ.get('CI'):
                pytest.fail('build/natmod/x64/_microdot.mpy was not built')
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        path.insert(1, NATMOD)
    env = dict(os.environ, MICROPYPATH=':'.join(path), MICRODOT_BACKEND=backend)
    result = subprocess.run(
        [micropython_command(), os.path.join(REPO, 'tests', 'mpy', 'app_ext_runner.py')],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert ' 0 failed' in result.stdout.splitlines()[-1]
