"""The benchmark's realistic route (bench/apps/app.py: typed URL component,
query arguments, a cookie and a header read, JSON answer) served by
microdot.asgi under real uvicorn (httptools and h11) and hypercorn
processes: what the scope shortcuts of asgi.py give must be what the
request sent, request after request."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip('httpx')

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / 'bench' / 'apps'
BIN = Path(sys.executable).parent

BROWSER_HEADERS = [
    ('Host', 'shop.example.org'),
    ('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0'),
    ('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8'),
    ('Accept-Language', 'en-GB,en;q=0.9'),
    ('Accept-Encoding', 'gzip, deflate, br'),
    ('Referer', 'https://shop.example.org/catalog?page=12'),
    ('Cookie', 'session=4f2a9c0e7b1d; cart=1703; theme=dark'),
    ('Upgrade-Insecure-Requests', '1'),
    ('Cache-Control', 'max-age=0'),
]


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module', params=['uvicorn-httptools', 'uvicorn-h11',
                                        'hypercorn'])
def server(request):
    name = request.param.split('-')[0]
    exe = BIN / name
    if not exe.exists():
        pytest.skip(name + ' is not installed')
    if request.param == 'uvicorn-httptools':
        pytest.importorskip('httptools')
    port = free_port()
    if name == 'uvicorn':
        cmd = [str(exe), 'app:app', '--port', str(port), '--http',
               request.param.split('-')[1], '--log-level', 'warning']
    else:
        cmd = [str(exe), 'app:app', '--bind', '127.0.0.1:%d' % port]
    env = dict(os.environ, BENCH_KIND='asgi',
               PYTHONPATH=str(REPO / 'python'))
    env.pop('MICRODOT_BACKEND', None)
    proc = subprocess.Popen(cmd, cwd=str(APPS), env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        pytest.fail(request.param + ' did not start')
    yield 'http://127.0.0.1:%d' % port
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def get(url, headers):
    with httpx.Client(timeout=10) as client:
        return client.get(url, headers=headers)


def test_realistic_route_again_and_again(server):
    url = server + '/catalog/items/421?color=blue&size=m'
    for _ in range(3):
        res = get(url, BROWSER_HEADERS)
        assert res.status_code == 200
        assert res.headers['content-type'].startswith('application/json')
        assert int(res.headers['content-length']) == len(res.content)
        assert json.loads(res.content) == {
            'id': 421, 'color': 'blue', 'size': 'm',
            'session': '4f2a9c0e7b1d', 'language': 'en-GB,en;q=0.9'}


def test_realistic_route_unusual_requests(server):
    # repeated header lines, odd cookie spacing, an encoded query, no cookie
    headers = [('Accept-Language', 'fr'), ('Accept-Language', 'de'),
               ('Cookie', 'theme=dark;session = s1 ;session=s2')]
    res = get(server + '/catalog/items/7?color=dark%20blue&size=&size=l',
              headers)
    assert res.status_code == 200
    assert json.loads(res.content) == {
        'id': 7, 'color': 'dark blue', 'size': '', 'session': 's1',
        'language': 'fr, de'}
    res = get(server + '/catalog/items/8', [])
    assert json.loads(res.content) == {
        'id': 8, 'color': None, 'size': None, 'session': None,
        'language': None}
    assert get(server + '/catalog/items/x', []).status_code == 404
    res = get(server + '/', [])
    assert res.text == 'Hello, World!'
