"""User-level review of the extensions (test client, sessions, forms...):
each script runs as a user's would, on CPython and on MicroPython's unix
port, and prints what the test checks. Each test failed on the code before
its fix."""
import os
import subprocess
import sys
import textwrap

import pytest

from servers import micropython_command, natmod_dir, SOURCE

INTERPRETERS = ['cpython', 'micropython']


def run_script(interpreter, source, tmp_path):
    """Runs `source` and returns its output lines (fails on an error)."""
    script = tmp_path / 'script.py'
    script.write_text(textwrap.dedent(source))
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    if interpreter == 'cpython':
        env['PYTHONPATH'] = str(SOURCE)
        cmd = [sys.executable]
    else:
        paths = [str(SOURCE)]
        if natmod_dir() is not None:
            paths.append(str(natmod_dir()))
        env['MICROPYPATH'] = ':'.join(paths + ['.frozen'])
        cmd = [micropython_command()]
    proc = subprocess.run(cmd + [str(script)], cwd=str(tmp_path), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60)
    output = proc.stdout.decode(errors='replace')
    assert proc.returncode == 0, output
    return output.splitlines()


# TestResponse.text decoded the body unconditionally: reading it for an
# image (or any body that is not UTF-8) raised UnicodeDecodeError, where
# the test client's responses have text None for such bodies.
BINARY_BODY = '''
    import asyncio
    from microdot import Microdot
    from microdot.test_client import TestClient

    app = Microdot()

    @app.get('/image')
    async def image(request):
        return b'\\x89PNG\\xff\\xfe', {'Content-Type': 'image/png'}

    @app.get('/text')
    async def text(request):
        return 'caf\\u00e9'

    async def main():
        client = TestClient(app)
        res = await client.get('/image')
        print(res.status_code, res.body == b'\\x89PNG\\xff\\xfe', res.text)
        res = await client.get('/text')
        print(res.text == 'caf\\u00e9')

    asyncio.run(main())
'''


@pytest.mark.parametrize('interpreter', INTERPRETERS)
def test_test_client_text_of_a_binary_body_is_none(interpreter, tmp_path):
    assert run_script(interpreter, BINARY_BODY, tmp_path) == [
        '200 True None', 'True']
