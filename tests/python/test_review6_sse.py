"""review6, Server-Sent Events as a user ports them from upstream Microdot:
the extension's documented API (``with_sse`` with URL arguments,
``sse_response`` for a route that chooses to stream, ``sse.send`` with
str, bytes, dict, list and "any other types converted to string") read by
a client that parses the stream as a browser's EventSource does (WHATWG
HTML, "Server-sent events", event stream interpretation), on the
built-in server (CPython and MicroPython), uvicorn and gunicorn, over
HTTP/1.1 (chunked) and HTTP/1.0 (the stream ends with the connection).

Failed before its fix: ``microdot.sse`` had no ``sse_response`` (an
ImportError for apps that use it), and ``sse.send`` of an object that JSON
cannot encode (a user's class with ``__str__``) raised TypeError, which
ended the stream; ``True`` and ``None`` were sent as ``true``/``null``
where upstream sends their ``str()``."""
import http.client
import socket

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
from microdot.sse import with_sse, sse_response

app = Microdot()


class Reading:
    def __init__(self, value):
        self.value = value

    def __str__(self):
        return '%d C' % self.value


@app.route('/rooms/<int:room>/events')
@with_sse
async def room_events(request, sse, room):
    await sse.send('room %d\\nline two\\r\\nline three' % room,
                   event='welcome', event_id='r%d' % room, retry=2500)
    await sse.comment('a comment the client ignores')
    await sse.send({'list': [1, 2]})
    await sse.send([1, 'two'])
    await sse.send(42)
    await sse.send(21.5, event='temp')
    await sse.send(Reading(19), event='temp')
    await sse.send(True)
    await sse.send(None)
    await sse.send(b'raw bytes', event_id=0)
    await sse.send('')


async def feed_events(request, sse, count):
    for i in range(count):
        await sse.send({'item': i}, event_id=i + 1)


@app.get('/feed')
async def feed(request):
    if request.headers.get('Accept') == 'text/event-stream':
        return sse_response(request, feed_events, 3)
    return {'items': [0, 1, 2]}
'''

# (event type, data, last event id) as an EventSource dispatches them
ROOM_EVENTS = [
    ('welcome', 'room 7\nline two\nline three', 'r7'),
    ('message', '{"list": [1, 2]}', 'r7'),
    ('message', '[1, "two"]', 'r7'),
    ('message', '42', 'r7'),
    ('temp', '21.5', 'r7'),
    ('temp', '19 C', 'r7'),
    ('message', 'True', 'r7'),
    ('message', 'None', 'r7'),
    ('message', 'raw bytes', '0'),
    ('message', '', '0'),
]
FEED_EVENTS = [('message', '{"item": %d}' % i, str(i + 1)) for i in range(3)]


def parse_event_stream(text):
    """(events, retry) of an event stream, by the WHATWG HTML algorithm:
    events as (type, data, last event id), retry the last valid retry."""
    events, retry = [], None
    data, event_type, last_id = '', '', ''
    lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
    if lines and lines[-1] == '':
        lines.pop()  # the split after the final newline
    for line in lines:
        if line == '':  # dispatch
            if data:
                if data.endswith('\n'):
                    data = data[:-1]
                events.append((event_type or 'message', data, last_id))
            data, event_type = '', ''
            continue
        if line.startswith(':'):
            continue
        name, colon, value = line.partition(':')
        if colon and value.startswith(' '):
            value = value[1:]
        if name == 'data':
            data += value + '\n'
        elif name == 'event':
            event_type = value
        elif name == 'id' and '\0' not in value:
            last_id = value
        elif name == 'retry' and value.isdigit():
            retry = int(value)
    return events, retry


def get_http11(port, path, headers=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request('GET', path, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


def get_http10(port, path):
    """An HTTP/1.0 GET: no chunked encoding, the body ends with the
    connection (a recv timeout fails the test: the server never closed)."""
    sock = socket.create_connection(('127.0.0.1', port), 10)
    try:
        sock.sendall(('GET ' + path + ' HTTP/1.0\r\n'
                      'Accept: text/event-stream\r\n\r\n').encode())
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    head, _, body = data.partition(b'\r\n\r\n')
    return head.decode('latin-1'), body


def test_parser_follows_the_algorithm():
    # the parser the test relies on, on the spec's own kinds of input
    events, retry = parse_event_stream(
        ': comment\nretry: 10x\nretry: 300\nid: 5\ndata:a\ndata:  b\n\n'
        'event: x\n\ndata\n\nid: bad\0id\ndata: c\r\n\r\n')
    assert events == [('message', 'a\n b', '5'), ('message', '', '5'),
                      ('message', 'c', '5')]
    assert retry == 300


@pytest.mark.parametrize('kind', KINDS)
def test_event_streams_as_an_event_source_reads_them(serve, kind):
    served = serve(kind, APP)
    port = served.port

    status, headers, body = get_http11(port, '/rooms/7/events')
    assert status == 200
    assert headers['Content-Type'] == 'text/event-stream'
    assert parse_event_stream(body.decode()) == (ROOM_EVENTS, 2500)

    head, body = get_http10(port, '/rooms/7/events')
    assert head.startswith('HTTP/1.') and ' 200 ' in head.split('\r\n')[0]
    assert 'chunked' not in head.lower()
    assert parse_event_stream(body.decode()) == (ROOM_EVENTS, 2500)

    # sse_response: the same route streams or answers JSON
    status, headers, body = get_http11(port, '/feed',
                                       {'Accept': 'text/event-stream'})
    assert (status, headers['Content-Type']) == (200, 'text/event-stream')
    assert parse_event_stream(body.decode()) == (FEED_EVENTS, None)
    status, headers, body = get_http11(port, '/feed')
    assert (status, body) == (200, b'{"items": [0, 1, 2]}')
    # a URL argument that does not convert is the router's 404
    assert get_http11(port, '/rooms/seven/events')[0] == 404
