"""Files and paths. send_file() has no root directory to confine it (the
guide's static-file pattern checks the path in the handler instead), so this
tests what exists, over a real socket:

- a `<path:...>` capture is percent-decoded, so the guide's `'..' in path`
  check also catches encoded traversal (%2e%2e, %2f, mixed case);
- whatever the request, the file outside the static root is never served;
- a NUL byte, a directory or a missing file through send_file() gives a
  clean 404 (400 for a NUL), not a 500 (known gaps are strict xfails).
"""
import os

import pytest

from servers import Server

TARGETS = ['cpython-cffi', 'cpython-pure', 'micropython-c']
SECRET = b'top secret outside the root'

STATIC_APP = '''
import os
from microdot import Microdot, send_file

app = Microdot()
ROOT = {root!r}


@app.route('/static/<path:path>')
async def static(request, path):
    # the guide's pattern
    if '..' in path:
        return 'Not found', 404
    return send_file(ROOT + '/' + path)


@app.route('/rooted/<path:path>')
async def rooted(request, path):
    # no check of its own: send_file's root does it
    return send_file(path, root=ROOT)


@app.route('/capture/<path:path>')
async def capture(request, path):
    return path


app.run(host='127.0.0.1', port=int({port_expr}))
'''


@pytest.fixture(scope='module', params=TARGETS)
def static_server(request, tmp_path_factory):
    base = tmp_path_factory.mktemp('files')
    root = base / 'static'
    (root / 'sub').mkdir(parents=True)
    (root / 'hello.txt').write_bytes(b'hello file')
    (root / 'sub' / 'inner.txt').write_bytes(b'inner file')
    (base / 'secret.txt').write_bytes(SECRET)
    os.symlink(str(base / 'secret.txt'), str(root / 'link-out.txt'))
    app = base / 'static_app.py'
    app.write_text(STATIC_APP.format(
        root=str(root), port_expr="__import__('sys').argv[1]"))
    srv = Server(request.param, app=str(app)).start()
    yield srv
    alive = srv.alive()
    output = srv.output()
    srv.stop()
    assert alive, 'the server died:\n' + output[-3000:]


def get(server, target):
    with server.connect() as conn:
        conn.send('GET {} HTTP/1.1\r\nHost: x\r\n\r\n'.format(target))
        return conn.read_reply()


def test_files_inside_the_root_are_served(static_server):
    assert get(static_server, '/static/hello.txt').body == b'hello file'
    assert get(static_server, '/static/sub/inner.txt').body == b'inner file'


@pytest.mark.parametrize('encoded,decoded', [
    ('%2e%2e/x', '../x'),
    ('%2E%2E%2Fx', '../x'),
    ('.%2e/x', '../x'),
    ('a%2fb', 'a/b'),
    ('a%5cb', 'a\\b'),
    ('caf%C3%A9', 'caf\u00e9'),
])
def test_path_capture_is_decoded(static_server, encoded, decoded):
    reply = get(static_server, '/capture/' + encoded)
    assert reply.status == 200
    assert reply.body.decode() == decoded


TRAVERSALS = [
    '/static/../secret.txt',
    '/static/%2e%2e/secret.txt',
    '/static/%2E%2E/secret.txt',
    '/static/.%2e/secret.txt',
    '/static/%2e%2e%2fsecret.txt',
    '/static/sub/../../secret.txt',
    '/static/sub/%2e%2e/%2e%2e/secret.txt',
    '/static/..%5csecret.txt',
    '/static/..\\secret.txt',
    '/static/%2e%2e%5csecret.txt',
    '/static//' + '%2e%2e/' * 8 + 'etc/passwd',
    '/static/%252e%252e/secret.txt',
    '/static/....//secret.txt',
    '/static/%c0%ae%c0%ae/secret.txt',
]


@pytest.mark.parametrize('target', TRAVERSALS)
def test_traversal_never_serves_outside_the_root(static_server, target):
    reply = get(static_server, target)
    assert SECRET not in reply.body, reply
    assert b'root:' not in reply.body, reply  # /etc/passwd
    # (404 from the check, or a missing file's error: see below)
    assert reply.status != 200, reply


def test_absolute_path_capture_stays_under_the_root(static_server):
    # /static//etc/passwd -> path '/etc/passwd' -> ROOT + '//etc/passwd'
    reply = get(static_server, '/static//etc/passwd')
    assert b'root:' not in reply.body
    assert reply.status != 200, reply


def test_symlink_out_of_the_root_is_refused(static_server):
    if static_server.target.startswith('micropython'):
        pytest.skip('MicroPython cannot resolve symlinks (boards have none): '
                    'send_file(root=) checks the name only there')
    reply = get(static_server, '/rooted/link-out.txt')
    assert reply.status == 404
    assert SECRET not in reply.body


def test_root_serves_files_inside_it(static_server):
    assert get(static_server, '/rooted/hello.txt').body == b'hello file'
    assert get(static_server, '/rooted/sub/inner.txt').body == b'inner file'


@pytest.mark.parametrize('target', [
    '/rooted/../secret.txt', '/rooted/%2e%2e/secret.txt',
    '/rooted/sub/../../secret.txt', '/rooted/%2F..%2Fsecret.txt',
    '/rooted/sub%5C..%5C..%5Csecret.txt', '/rooted/hello.txt%00',
])
def test_root_refuses_names_that_leave_it(static_server, target):
    reply = get(static_server, target)
    assert reply.status in (400, 404), reply
    assert SECRET not in reply.body


def test_missing_file_is_404(static_server):
    assert get(static_server, '/static/nothing.txt').status == 404


def test_directory_is_404(static_server):
    assert get(static_server, '/static/sub').status == 404


def test_nul_in_file_name_is_400(static_server):
    assert get(static_server, '/static/hello.txt%00.png').status == 400


def test_server_survives_file_errors(static_server):
    for target in ['/static/nothing.txt', '/static/sub', '/static/a%00b']:
        reply = get(static_server, target)
        assert reply.status < 600
        assert SECRET not in reply.body
    assert get(static_server, '/static/hello.txt').body == b'hello file'
