"""The mip package files: generated and up to date, covering every module
that runs on MicroPython, and installable by MicroPython's own mip from a
local HTTP server (tests/mpy/deploy_mip.py)."""
import functools
import http.server
import json
import os
import subprocess
import sys
import threading

from test_deploy_bundle import REPO, TIMEOUT, micropython

sys.path.insert(0, os.path.join(REPO, 'ports', 'bundle'))
import parts  # noqa: E402

GEN = os.path.join(REPO, 'ports', 'bundle', 'gen_mip.py')


def load(rel):
    with open(os.path.join(REPO, rel)) as f:
        return json.load(f)


def part_files():
    """{json path: [(target, source path relative to REPO)]}."""
    found = {'package.json': load('package.json')}
    for name in os.listdir(parts.SRC):
        if name.endswith('.json'):
            found['python/' + name] = load('python/' + name)
    result = {}
    for rel, spec in found.items():
        base = os.path.dirname(rel)
        result[rel] = [(t, os.path.normpath(os.path.join(base, s))) for t, s in spec['urls']]
    return result


def test_generated_files_are_current():
    result = subprocess.run([sys.executable, GEN, '--check'], capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_is_installable():
    installed = set()
    for rel, urls in part_files().items():
        for target, source in urls:
            assert os.path.isfile(os.path.join(REPO, source)), (rel, source)
            assert source == os.path.join('python', target), (rel, target, source)
            installed.add(target)
    assert installed == set(parts.micropython_modules())
    core = dict(part_files())['package.json']
    assert sorted(t for t, _ in core) == sorted(parts.CORE)


def test_extensions_bring_what_they_import():
    files = part_files()
    login = {t for t, _ in files['python/login.json']}
    assert {'microdot/login.py', 'microdot/session.py', 'microdot/_jwt.py',
            'microdot/auth.py'} <= login
    # an extension's file never repeats the core
    for rel, urls in files.items():
        if rel != 'package.json':
            assert not {t for t, _ in urls} & set(parts.CORE), rel


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_mip_install_from_http(tmp_path):
    handler = functools.partial(_QuietHandler, directory=REPO)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = dict(os.environ, MICROPYPATH='.frozen')
        env.pop('MICRODOT_BACKEND', None)
        base = 'http://127.0.0.1:%d' % server.server_address[1]
        result = subprocess.run(
            [micropython(), os.path.join(REPO, 'tests', 'mpy', 'deploy_mip.py'), base,
             str(tmp_path)], cwd=str(tmp_path), env=env, capture_output=True, text=True,
            timeout=TIMEOUT)
    finally:
        server.shutdown()
        server.server_close()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert '5 passed, 0 failed' in output, output
    installed = sorted(os.path.relpath(os.path.join(d, f), str(tmp_path))
                       for d, _, names in os.walk(str(tmp_path)) for f in names)
    assert installed == sorted(parts.CORE + ['microdot/test_client.py', 'microdot/session.py',
                                             'microdot/_jwt.py'])
