"""Server-Sent Events: the wire format, the test client, and real servers
(the built-in one on CPython and MicroPython) with a streaming client,
including keep-alive comments and a client that goes away."""
import asyncio
import json

import pytest

from microdot import Microdot
from microdot.sse import with_sse, format_event, format_comment, SSE
from microdot.test_client import TestClient

httpx = pytest.importorskip('httpx')

from ext_servers import serve  # noqa: E402


@pytest.mark.parametrize('args,expected', [
    (('hi',), b'data: hi\n\n'),
    ((b'raw',), b'data: raw\n\n'),
    (({'a': [1, 2]},), b'data: {"a": [1, 2]}\n\n'),
    (([1],), b'data: [1]\n\n'),
    (('two\nlines',), b'data: two\ndata: lines\n\n'),
    (('crlf\r\nand\rcr',), b'data: crlf\ndata: and\ndata: cr\n\n'),
    (('',), b'data: \n\n'),
    (('x', 'tick', 7), b'event: tick\nid: 7\ndata: x\n\n'),
    (('x', None, None, 1500), b'retry: 1500\ndata: x\n\n'),
])
def test_format_event(args, expected):
    assert format_event(*args) == expected


def test_event_name_must_be_one_line():
    with pytest.raises(ValueError):
        format_event('x', event='a\nb')


def test_format_comment():
    assert format_comment('keepalive') == b': keepalive\n\n'
    assert format_comment('a\nb') == b': a\n: b\n\n'


def make_app(log):
    app = Microdot()

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        await sse.send('hello', event='greeting', event_id=1)
        await sse.send({'n': 2})
        await sse.comment('note')
        log.append('done')

    @app.route('/failing')
    @with_sse
    async def failing(request, sse):
        await sse.send('first')
        raise RuntimeError('handler failed')

    @app.route('/flood')
    @with_sse
    async def flood(request, sse):
        for i in range(100):  # more than SSE.max_queue: send() must wait
            await sse.send(str(i))

    return app


def test_test_client_sse():
    log = []

    async def go():
        res = await TestClient(make_app(log)).get('/events')
        assert res.status_code == 200
        assert res.headers['Content-Type'] == 'text/event-stream'
        assert res.headers['Cache-Control'] == 'no-cache'
        assert res.text == ('event: greeting\nid: 1\ndata: hello\n\n'
                            'data: {"n": 2}\n\n: note\n\n')
    asyncio.run(asyncio.wait_for(go(), 10))
    assert log == ['done']


def test_handler_exception_ends_the_stream(capsys):
    async def go():
        res = await TestClient(make_app([])).get('/failing')
        assert res.text == 'data: first\n\n'
    asyncio.run(asyncio.wait_for(go(), 10))
    assert 'handler failed' in capsys.readouterr().err


def test_backpressure_keeps_every_event():
    async def go():
        res = await TestClient(make_app([])).get('/flood')
        data = [line[6:] for line in res.text.split('\n')
                if line.startswith('data: ')]
        assert data == [str(i) for i in range(100)]
    asyncio.run(asyncio.wait_for(go(), 10))


def test_keepalive_comment_when_idle(monkeypatch):
    monkeypatch.setattr(SSE, 'keepalive', 0.05)
    app = Microdot()

    @app.route('/slow')
    @with_sse
    async def slow(request, sse):
        await asyncio.sleep(0.3)
        await sse.send('late')

    async def go():
        res = await TestClient(app).get('/slow')
        assert ': keepalive\n\n' in res.text
        assert res.text.endswith('data: late\n\n')
    asyncio.run(asyncio.wait_for(go(), 10))


@pytest.fixture(scope='module', params=['builtin', 'micropython', 'micropython-c'])
def server(request):
    proc = serve(request.param, MICRODOT_TEST_KEEPALIVE='0.2')
    yield proc
    proc.stop()


def read_events(res):
    events = []
    for block in b''.join(res.iter_bytes()).decode().split('\n\n')[:-1]:
        fields = {}
        for line in block.split('\n'):
            name, _, value = line.partition(': ')
            fields[name] = value
        events.append(fields)
    return events


def test_sse_over_the_network(server):
    with httpx.stream('GET', server.url + '/sse?count=4', timeout=10) as res:
        assert res.status_code == 200
        assert res.headers['content-type'] == 'text/event-stream'
        events = read_events(res)
    assert events[0] == {'event': 'start', 'retry': '2000', 'data': 'ready'}
    assert [json.loads(e['data'])['n'] for e in events[1:]] == [0, 1, 2, 3]
    assert [e['id'] for e in events[1:]] == ['0', '1', '2', '3']


def test_keepalive_and_disconnect(server):
    with httpx.stream('GET', server.url + '/sse?count=1&wait=1',
                      timeout=10) as res:
        seen = []
        for line in res.iter_lines():
            seen.append(line)
            if line == ': keepalive':
                break
    assert 'id: 0' in seen
    # the keep-alive writes reveal the closed connection: the handler ends
    assert server.wait_event('sse cancelled')
    assert httpx.get(server.url + '/', timeout=10).status_code == 200


def test_sync_sse_handler_is_rejected():
    with pytest.raises(TypeError):
        @with_sse
        def events(request, sse):
            pass
