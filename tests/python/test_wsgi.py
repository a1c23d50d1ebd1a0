"""microdot.wsgi under real gunicorn processes (one sync worker, two sync
workers, the threaded worker) with real clients: bodies, streaming,
request.environ, SSE, and WebSocket over gunicorn's socket."""
import pytest

httpx = pytest.importorskip('httpx')
ws_client = pytest.importorskip('websockets.sync.client')

from ext_servers import serve  # noqa: E402


@pytest.fixture(scope='module',
                params=['gunicorn', 'gunicorn-2', 'gunicorn-gthread'])
def server(request):
    proc = serve(request.param, 'wsgi')
    yield proc
    proc.stop()


def test_get(server):
    res = httpx.get(server.url + '/', timeout=10)
    assert res.status_code == 200
    assert res.text == 'hello from wsgi'


def test_not_found(server):
    assert httpx.get(server.url + '/nope', timeout=10).status_code == 404


@pytest.mark.parametrize('size', [0, 100, 16 * 1024, 300 * 1024])
def test_request_body(server, size):
    body = bytes(range(256)) * (size // 256)
    res = httpx.post(server.url + '/echo-body', content=body, timeout=10)
    assert res.status_code == 200
    assert res.content == body


def test_request_body_too_large(server):
    res = httpx.post(server.url + '/echo-body', content=b'x' * (2 << 20),
                     timeout=10)
    assert res.status_code == 413


def test_streaming_response(server):
    with httpx.stream('GET', server.url + '/stream', timeout=10) as res:
        assert 'content-length' not in res.headers
        body = b''.join(res.iter_bytes())
    assert body == b''.join(b'chunk %d\n' % i for i in range(5))


def test_environ(server):
    assert httpx.get(server.url + '/scope', timeout=10).json() == \
        {'method': 'GET', 'path': '/scope'}


def test_many_requests_across_workers(server):
    with httpx.Client(timeout=10) as client:
        for i in range(20):
            assert client.get(server.url + '/').status_code == 200


def test_sse(server):
    with httpx.stream('GET', server.url + '/sse?count=2', timeout=10) as res:
        assert res.headers['content-type'] == 'text/event-stream'
        text = b''.join(res.iter_bytes()).decode()
    assert text == ('event: start\nretry: 2000\ndata: ready\n\n'
                    'id: 0\ndata: {"n": 0}\n\n'
                    'id: 1\ndata: {"n": 1}\n\n')


def test_websocket_over_gunicorn_socket(server):
    with ws_client.connect(server.ws_url + '/ws', open_timeout=10,
                           close_timeout=5) as ws:
        ws.send('héllo')
        assert ws.recv(10) == 'héllo'
        ws.send(b'\xff' * 100000)
        assert ws.recv(10) == b'\xff' * 100000
        ws.send('close-me')
        with pytest.raises(Exception):
            ws.recv(10)
        assert ws.close_code == 4001
    # the worker is still healthy afterwards
    assert httpx.get(server.url + '/', timeout=10).status_code == 200


def test_bad_websocket_upgrade_is_400(server):
    res = httpx.get(server.url + '/ws', timeout=10, headers={
        'Upgrade': 'websocket', 'Connection': 'Upgrade',
        'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'short'})
    assert res.status_code == 400
