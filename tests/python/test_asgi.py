"""microdot.asgi under real uvicorn and hypercorn processes, with real
clients (httpx, websockets): HTTP bodies in and out, streaming, the scope,
lifespan, WebSocket and SSE."""
import pytest

httpx = pytest.importorskip('httpx')
ws_client = pytest.importorskip('websockets.sync.client')

from ext_servers import serve  # noqa: E402


@pytest.fixture(scope='module', params=['uvicorn', 'hypercorn'])
def server(request):
    proc = serve(request.param, 'asgi')
    yield proc
    proc.stop()


def test_get(server):
    res = httpx.get(server.url + '/', timeout=10)
    assert res.status_code == 200
    assert res.text == 'hello from asgi'
    assert res.headers['content-type'].startswith('text/plain')


def test_not_found_and_method_not_allowed(server):
    assert httpx.get(server.url + '/nope', timeout=10).status_code == 404
    res = httpx.delete(server.url + '/', timeout=10)
    assert res.status_code == 405


@pytest.mark.parametrize('size', [0, 10, 16 * 1024, 200 * 1024])
def test_request_body(server, size):
    body = bytes(range(256)) * (size // 256)
    res = httpx.post(server.url + '/echo-body', content=body, timeout=10)
    assert res.status_code == 200
    assert res.content == body


def test_streamed_request_body_without_length(server):
    def chunks():
        for _ in range(40):
            yield b'x' * 1000
    res = httpx.post(server.url + '/echo-body', content=chunks(), timeout=10)
    assert res.status_code == 200
    assert res.content == b'x' * 40000


def test_request_body_too_large(server):
    res = httpx.post(server.url + '/echo-body', content=b'x' * (2 << 20),
                     timeout=10)
    assert res.status_code == 413


def test_streaming_response(server):
    with httpx.stream('GET', server.url + '/stream', timeout=10) as res:
        assert 'content-length' not in res.headers
        body = b''.join(res.iter_bytes())
    assert body == b''.join(b'chunk %d\n' % i for i in range(5))


def test_scope(server):
    assert httpx.get(server.url + '/scope', timeout=10).json() == \
        {'type': 'http', 'path': '/scope'}


def test_lifespan_startup(server):
    assert server.wait_event('startup')


def test_websocket_echo(server):
    with ws_client.connect(server.ws_url + '/ws', open_timeout=10,
                           close_timeout=5) as ws:
        ws.send('héllo')
        assert ws.recv(10) == 'héllo'
        ws.send(b'\x00\x01' * 40000)
        assert ws.recv(10) == b'\x00\x01' * 40000
        ws.send('close-me')
        with pytest.raises(Exception):
            ws.recv(10)
        assert ws.close_code == 4001
        assert ws.close_reason == 'asked to'


def test_websocket_query_args(server):
    with ws_client.connect(server.ws_url + '/ws-greet?name=asgi',
                           open_timeout=10) as ws:
        assert ws.recv(10) == 'hi asgi'


def test_websocket_to_plain_route_is_rejected(server):
    with pytest.raises(Exception):
        with ws_client.connect(server.ws_url + '/nope', open_timeout=10):
            pass


def test_websocket_client_close_reaches_handler(server):
    with ws_client.connect(server.ws_url + '/ws', open_timeout=10) as ws:
        ws.send('x')
        ws.recv(10)
        ws.close(1001)
    if server.kind == 'uvicorn':
        assert server.wait_event('ws closed 1001')
    else:
        # hypercorn answers the close itself and reports 1006 to the app
        assert server.wait_event('ws closed 1006')


def test_sse(server):
    with httpx.stream('GET', server.url + '/sse?count=3', timeout=10) as res:
        assert res.headers['content-type'] == 'text/event-stream'
        text = b''.join(res.iter_bytes()).decode()
    assert text == ('event: start\nretry: 2000\ndata: ready\n\n'
                    'id: 0\ndata: {"n": 0}\n\n'
                    'id: 1\ndata: {"n": 1}\n\n'
                    'id: 2\ndata: {"n": 2}\n\n')


def test_sse_client_disconnect_cancels_handler(server):
    with httpx.stream('GET', server.url + '/sse?count=1&wait=1',
                      timeout=10) as res:
        for line in res.iter_lines():
            if line.startswith('id: 0'):
                break
    assert server.wait_event('sse cancelled')


def test_lifespan_shutdown():
    proc = serve('uvicorn', 'asgi')
    assert proc.wait_event('startup')
    proc.stop()
    assert proc.events() == ['startup', 'shutdown']
