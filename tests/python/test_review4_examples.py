"""The examples run as their README says (`python x.py` or `micropython
x.py` from the example's directory), on both interpreters where they claim
to, asked by a real HTTP client. The script runs as __main__ with
Microdot.run() moved to a free port on 127.0.0.1 (the examples listen on
5000). Each test failed on the examples before their fix."""
import http.client
import os
import shutil
import sys
import uuid

import pytest

from processes import start_server, stop
from servers import REPO, free_port, micropython_command, natmod_dir, \
    SOURCE

EXAMPLES = REPO / 'examples'

# Runs the example named by argv[1] as __main__, its app.run() on the port
# in argv[2].
WRAPPER = '''
import sys
from microdot import Microdot

_run = Microdot.run
script = sys.argv[1]
port = int(sys.argv[2])
sys.argv[:] = [script]  # the example sees no arguments


def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
    _run(self, '127.0.0.1', globals()['port'], debug, ssl)


Microdot.run = run
with open(script) as f:
    source = f.read()
exec(source, {'__name__': '__main__', '__file__': script})
'''


def utemplate_dir():
    sys.path.insert(0, str(REPO / 'tests' / 'python'))
    import test_templates
    test_templates._find_utemplate()
    import utemplate.source
    return os.path.dirname(os.path.dirname(utemplate.source.__file__))


def command(interpreter, extra_path=()):
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    if interpreter == 'cpython':
        env['PYTHONPATH'] = ':'.join([str(SOURCE)] + list(extra_path))
        return [sys.executable], env
    paths = [str(SOURCE)]
    if natmod_dir() is not None:
        paths.append(str(natmod_dir()))
    env['MICROPYPATH'] = ':'.join(paths + list(extra_path) + ['.frozen'])
    return [micropython_command()], env


@pytest.fixture
def run_example(tmp_path):
    """run_example(interpreter, directory, script) copies the example's
    directory to tmp_path, runs the script there and returns its port."""
    procs = []

    def start(interpreter, directory, script, extra_path=()):
        workdir = tmp_path / 'example'
        shutil.copytree(str(EXAMPLES / directory), str(workdir))
        (workdir / '_run_example.py').write_text(WRAPPER)
        port = free_port()
        cmd, env = command(interpreter, extra_path)
        procs.append(start_server(
            cmd + ['_run_example.py', script, str(port)], env, port,
            str(workdir)))
        return port, workdir

    yield start
    for proc in procs:
        stop(proc)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = b''
    for name, value in fields:
        out += ('--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n'
                '{}\r\n').format(boundary, name, value).encode()
    for name, filename, data in files:
        out += ('--{}\r\nContent-Disposition: form-data; name="{}"; '
                'filename="{}"\r\nContent-Type: application/octet-stream'
                '\r\n\r\n').format(boundary, name, filename).encode()
        out += data + b'\r\n'
    out += '--{}--\r\n'.format(boundary).encode()
    return out, 'multipart/form-data; boundary=' + boundary


def post(port, path, body, content_type):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
    try:
        conn.request('POST', path, body=body,
                     headers={'Content-Type': content_type})
        res = conn.getresponse()
        return res.status, res.read().decode()
    finally:
        conn.close()


# examples/uploads claims "both"; on MicroPython it stopped at start with
# AttributeError (os.makedirs), and its handlers used os.path.join, which
# MicroPython's os does not have either.
@pytest.mark.parametrize('interpreter', ['cpython', 'micropython'])
def test_uploads_example_saves_files(run_example, interpreter):
    port, workdir = run_example(interpreter, 'uploads', 'uploads.py')
    data = bytes(range(256)) * 400  # 100 KiB, spooled past memory
    body, ctype = multipart([('title', 'T')], [('file', 'a.bin', data)])
    assert post(port, '/upload', body, ctype) == (
        200, '<p>T: {} bytes saved</p>'.format(len(data)))
    assert (workdir / 'uploads' / 'a.bin').read_bytes() == data
    body, ctype = multipart([], [('file', '../b.txt', b'hello'),
                                 ('file', 'c.bin', data)])
    status, text = post(port, '/stream', body, ctype)
    assert (status, text) == (200, '<p>Saved: b.txt (5 bytes), c.bin '
                                   '({} bytes)</p>'.format(len(data)))
    assert (workdir / 'uploads' / 'b.txt').read_bytes() == b'hello'
    assert (workdir / 'uploads' / 'c.bin').read_bytes() == data


# utemplate inserts values unescaped: the example echoed what the user typed
# into the page as HTML (a reflected cross-site scripting hole).
@pytest.mark.parametrize('interpreter', ['cpython', 'micropython'])
def test_utemplate_example_escapes_the_name(run_example, interpreter):
    port, workdir = run_example(interpreter, 'templates/utemplate',
                                'hello.py', [utemplate_dir()])
    status, text = post(port, '/', 'name=%3Cscript%3Ex()%3C%2Fscript%3E',
                        'application/x-www-form-urlencoded')
    assert status == 200
    assert '<script>' not in text
    assert 'Hello, &lt;script&gt;x()&lt;/script&gt;!' in text


# The demo's upload handler read request.files.get('file'): with_form_data
# leaves request.files None when the body is not multipart/form-data (a
# urlencoded post, or none), so those posts were answered 500 with a
# traceback instead of the page's own "Choose a file first." (400).
@pytest.mark.parametrize('interpreter', ['cpython', 'micropython'])
def test_demo_upload_without_a_multipart_body(run_example, interpreter):
    port, workdir = run_example(interpreter, 'demo', 'app.py')
    status, text = post(port, '/uploads', 'description=x',
                        'application/x-www-form-urlencoded')
    assert status == 400
    assert 'Choose a file first.' in text
    body, ctype = multipart([('description', 'd')],
                            [('file', 'a.txt', b'hello')])
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
    try:
        conn.request('POST', '/uploads', body=body,
                     headers={'Content-Type': ctype})
        res = conn.getresponse()
        res.read()
        assert (res.status, res.getheader('Location')) == (
            302, '/uploads?saved=1')
    finally:
        conn.close()


# examples/README.md and the static and streaming examples told MicroPython
# users to run `MICROPYPATH=../../python:../../.frozen` from the example's
# directory: `.frozen` is not a directory but MicroPython's name for its
# built-in (frozen) modules, so `../../.frozen` dropped them and `import
# asyncio` failed. Every MICROPYPATH in the examples names `.frozen` as it
# is, and directories that exist from where the command runs.
def test_examples_micropypath_commands_find_asyncio():
    import re
    found = 0
    for path in [EXAMPLES / 'README.md'] + sorted(EXAMPLES.rglob('*.py')):
        for value in re.findall(r'MICROPYPATH=([^\s`]+)', path.read_text()):
            found += 1
            entries = value.split(':')
            assert '.frozen' in entries, (path, value)
            for entry in entries:
                if entry == '.frozen':
                    continue
                assert not entry.endswith('.frozen'), (path, value)
                # '../../x' runs from an example's directory, 'x' from
                # the root of the repository
                base = EXAMPLES / 'hello' if entry.startswith('../') \
                    else REPO
                assert (base / entry).is_dir(), (path, value)
    assert found >= 5
