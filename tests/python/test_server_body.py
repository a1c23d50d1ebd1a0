"""Request bodies on the built-in server: Content-Length, chunked, Expect:
100-continue, the body/stream split and the size limit.

server_app.py sets Request.max_body_length = 4 KiB and keeps the default
max_content_length of 16 KiB."""
import hashlib
import json

import httpx
import pytest

from servers import build_request, chunked

from servers import (  # noqa: F401 (fixtures)
    fresh_server_fixture, server_fixture, server_pool_fixture, target_fixture)

MAX_CONTENT_LENGTH = 16 * 1024
MAX_BODY_LENGTH = 4 * 1024


def pattern(n):
    return bytes(i * 7 % 251 for i in range(n))


def test_content_length_body(server):
    with server.connect() as conn:
        reply = conn.request('POST', '/echo', body=b'hello body')
        assert reply.status == 200
        assert reply.body == b'hello body'
        assert reply.header('X-Body-Length') == '10'


def test_chunked_body_raw(server):
    with server.connect() as conn:
        reply = conn.request(
            'POST', '/echo', headers={'Transfer-Encoding': 'chunked'},
            body=chunked(b'Hello', b', ', b'chunked world'))
        assert reply.status == 200
        assert reply.body == b'Hello, chunked world'


def test_chunked_body_with_extensions_and_trailers(server):
    body = chunked(b'abc', b'defgh', extension=b';name=value;flag',
                   trailers=b'X-Checksum: 1234\r\nX-Other: y\r\n')
    with server.connect() as conn:
        reply = conn.request('POST', '/echo',
                             headers={'Transfer-Encoding': 'chunked'},
                             body=body)
        assert reply.status == 200
        assert reply.body == b'abcdefgh'
        # the trailers were consumed: the connection is still in sync
        assert conn.request('GET', '/').body == b'hello'


def test_chunked_body_uppercase_hex_and_empty(server):
    piece = pattern(0x1AB)
    with server.connect() as conn:
        reply = conn.request(
            'POST', '/echo', headers={'Transfer-Encoding': 'chunked'},
            body=b'1AB\r\n' + piece + b'\r\n0\r\n\r\n')
        assert reply.body == piece
        reply = conn.request('POST', '/echo',
                             headers={'Transfer-Encoding': 'chunked'},
                             body=b'0\r\n\r\n')
        assert reply.status == 200 and reply.body == b''


def test_chunked_body_from_httpx_generator(server):
    pieces = [pattern(100), b'middle', pattern(1000)]

    def generate():
        for piece in pieces:
            yield piece

    with httpx.Client(base_url=server.url, timeout=10) as client:
        reply = client.post('/echo', content=generate())
        assert reply.status_code == 200
        assert reply.content == b''.join(pieces)


def test_chunked_body_above_max_body_length_goes_to_stream(server):
    data = pattern(10000)
    pieces = [data[i:i + 999] for i in range(0, len(data), 999)]
    with server.connect() as conn:
        reply = conn.request('POST', '/stream',
                             headers={'Transfer-Encoding': 'chunked'},
                             body=chunked(*pieces))
        assert reply.status == 200
        result = json.loads(reply.body)
        assert result['size'] == len(data)
        assert result['sha256'] == hashlib.sha256(data).hexdigest()


def test_chunked_body_above_max_content_length_is_413(server):
    piece = b'z' * 4096
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo',
                                headers={'Transfer-Encoding': 'chunked'})
                  + chunked(*[piece] * 5))
        reply = conn.read_reply()
        assert reply.status == 413
        assert conn.wait_closed()


@pytest.mark.parametrize('before', [0, 3000])
def test_chunk_size_over_max_content_length_is_413_at_once(server, before):
    # a chunk-size line that takes the body past the limit (alone, or added
    # to the chunks before it) is refused before its data is sent
    body = b''
    if before:
        body = b'%x\r\n%s\r\n' % (before, pattern(before))
    size = MAX_CONTENT_LENGTH - before + 1
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo',
                                headers={'Transfer-Encoding': 'chunked'})
                  + body + b'%x\r\n' % size)
        reply = conn.read_reply('POST', timeout=5)
        assert reply.status == 413
        assert conn.wait_closed()


def test_chunks_up_to_max_content_length_are_accepted(server):
    data = pattern(MAX_CONTENT_LENGTH)
    with server.connect() as conn:
        reply = conn.request('POST', '/stream',
                             headers={'Transfer-Encoding': 'chunked'},
                             body=chunked(data[:5000], data[5000:]))
        assert reply.status == 200
        assert json.loads(reply.body)['sha256'] == \
            hashlib.sha256(data).hexdigest()


def test_malformed_chunk_after_max_body_length_is_400(server):
    # the bad chunk comes after the part buffered before the handler runs:
    # the handler never reads the stream, the server finds it when skipping
    piece = b'z' * 3000
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo',
                                headers={'Transfer-Encoding': 'chunked'})
                  + b'%x\r\n%s\r\n' % (len(piece), piece) * 2
                  + b'zz\r\nabc\r\n0\r\n\r\n')
        reply = conn.read_reply()
        assert reply.status == 400
        assert conn.wait_closed()


def test_malformed_chunked_body_is_400(server):
    with server.connect() as conn:
        reply = conn.request('POST', '/echo',
                             headers={'Transfer-Encoding': 'chunked'},
                             body=b'zz\r\nabc\r\n0\r\n\r\n')
        assert reply.status == 400
        assert conn.wait_closed()


@pytest.mark.parametrize('expect', ['100-continue', '100-Continue'])
def test_expect_100_continue(server, expect):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', headers={
            'Content-Length': '9', 'Expect': expect}))
        interim = conn.read_reply('POST')
        assert interim.status_line == 'HTTP/1.1 100 Continue'
        conn.send(b'late body')
        reply = conn.read_reply('POST')
        assert reply.status == 200
        assert reply.body == b'late body'
        assert conn.request('GET', '/').body == b'hello'


def test_expect_100_continue_with_chunked_body(server):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', headers={
            'Transfer-Encoding': 'chunked', 'Expect': '100-continue'}))
        interim = conn.read_reply('POST')
        assert interim.status_line == 'HTTP/1.1 100 Continue'
        conn.send(chunked(b'after ', b'continue'))
        reply = conn.read_reply('POST')
        assert reply.body == b'after continue'


def test_expect_100_continue_refused_when_too_large(server):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', headers={
            'Content-Length': str(MAX_CONTENT_LENGTH + 1),
            'Expect': '100-continue'}))
        reply = conn.read_reply('POST')
        assert reply.status == 413, 'expected a 413 instead of 100 Continue'


def test_unknown_expectation_is_417(server):
    with server.connect() as conn:
        reply = conn.request('POST', '/echo', headers={
            'Expect': 'something-else'}, body=b'abc')
        assert reply.status == 417


def test_body_above_max_body_length_only_in_stream(server):
    data = pattern(MAX_BODY_LENGTH + 1000)
    with server.connect() as conn:
        reply = conn.request('POST', '/stream', body=data)
        assert reply.status == 200
        result = json.loads(reply.body)
        assert result == {'body': 0, 'size': len(data),
                          'sha256': hashlib.sha256(data).hexdigest()}
        assert conn.request('GET', '/').body == b'hello'


def test_body_at_max_content_length_is_accepted(server):
    data = pattern(MAX_CONTENT_LENGTH)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        reply = client.post('/stream', content=data)
        assert reply.status_code == 200
        assert reply.json()['size'] == len(data)
        assert reply.json()['sha256'] == hashlib.sha256(data).hexdigest()


def test_body_below_max_body_length_in_body(server):
    data = pattern(MAX_BODY_LENGTH)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        reply = client.post('/sha', content=data)
        assert reply.json() == {'size': len(data),
                                'sha256': hashlib.sha256(data).hexdigest()}


def test_content_length_above_limit_is_413_and_closes(server):
    with server.connect() as conn:
        # only the head: the server must answer without waiting for a body
        conn.send(build_request('POST', '/echo', headers={
            'Content-Length': str(MAX_CONTENT_LENGTH + 1)}))
        reply = conn.read_reply('POST')
        assert reply.status == 413
        assert conn.wait_closed(), 'connection left open after a 413'


def test_oversized_body_sent_at_once_still_gets_413(server):
    # The client sends the whole body before reading; the 413 must still
    # reach it (the server drains or lingers rather than resetting).
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo',
                                body=b'x' * (MAX_CONTENT_LENGTH + 100)))
        reply = conn.read_reply('POST')
        assert reply.status == 413


def test_huge_content_length_is_413(server):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', headers={
            'Content-Length': '99999999999999999999999'}))
        reply = conn.read_reply('POST')
        assert reply.status in (400, 413)
        assert conn.wait_closed()


def test_client_closing_mid_body_does_not_hurt_server(server):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo',
                                headers={'Content-Length': '1000'})
                  + b'only part of it')
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_expect_100_continue_for_streamed_body(server):
    data = pattern(MAX_BODY_LENGTH + 500)
    with server.connect() as conn:
        conn.send(build_request('POST', '/stream', headers={
            'Content-Length': str(len(data)), 'Expect': '100-continue'}))
        interim = conn.read_reply('POST')
        assert interim.status_line == 'HTTP/1.1 100 Continue'
        conn.send(data)
        reply = conn.read_reply('POST')
        assert json.loads(reply.body)['sha256'] == \
            hashlib.sha256(data).hexdigest()


SMUGGLED = b'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'


def test_unread_large_body_is_skipped_not_parsed(server):
    # a body the handler never reads must not be taken for requests
    body = SMUGGLED * (MAX_BODY_LENGTH // len(SMUGGLED) + 20)
    with server.connect() as conn:
        conn.send(build_request('POST', '/only-get', body=body)
                  + build_request('GET', '/version'))
        assert conn.read_reply().status == 405
        try:
            reply = conn.read_reply()
        except Exception:  # closing instead of serving the next one is fine
            assert conn.eof or conn.wait_closed()
            return
        assert reply.status == 200 and reply.body == b'1.1'
        conn.wait_closed(timeout=1)  # raises on any further response


def test_expect_100_continue_body_never_sent(server):
    # The route refuses without reading: the client may then send the body
    # anyway, and it must not be taken for a request.
    body = SMUGGLED * (MAX_BODY_LENGTH // len(SMUGGLED) + 20)
    with server.connect() as conn:
        conn.send(build_request('POST', '/only-get', headers={
            'Content-Length': str(len(body)), 'Expect': '100-continue'}))
        reply = conn.read_reply('POST')
        assert reply.status == 405
        conn.send(body)
        conn.wait_closed(timeout=1)  # raises on any further response


def test_chunked_coding_name_is_case_insensitive(server):
    with server.connect() as conn:
        reply = conn.request('POST', '/echo',
                             headers={'Transfer-Encoding': 'Chunked'},
                             body=chunked(b'case'))
        assert reply.status == 200 and reply.body == b'case'


def test_many_one_byte_chunks(server):
    data = pattern(5000)
    with server.connect() as conn:
        reply = conn.request('POST', '/stream',
                             headers={'Transfer-Encoding': 'chunked'},
                             body=chunked(*[data[i:i + 1]
                                            for i in range(len(data))]))
        assert reply.status == 200
        assert json.loads(reply.body)['sha256'] == \
            hashlib.sha256(data).hexdigest()


BAD_CHUNKED = [
    ('size-overflow', b'1' + b'0' * 20 + b'\r\nabc\r\n0\r\n\r\n'),
    ('no-size', b'\r\nabc\r\n0\r\n\r\n'),
    ('negative-size', b'-3\r\nabc\r\n0\r\n\r\n'),
    ('data-longer-than-size', b'2\r\nabc\r\n0\r\n\r\n'),
    ('huge-extension', b'3;' + b'e' * 5000 + b'\r\nabc\r\n0\r\n\r\n'),
    ('huge-trailer', b'3\r\nabc\r\n0\r\nX-T: ' + b't' * 9000 + b'\r\n\r\n'),
]


@pytest.mark.parametrize('body', [b[1] for b in BAD_CHUNKED],
                         ids=[b[0] for b in BAD_CHUNKED])
def test_bad_chunked_framing_is_rejected(server, body):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo',
                                headers={'Transfer-Encoding': 'chunked'})
                  + body)
        reply = conn.read_reply('POST')
        assert reply.status in (400, 413)
        assert conn.wait_closed()
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_no_100_continue_for_http10(server):
    # RFC 9110 10.1.1: no 100 (Continue) to an HTTP/1.0 client
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', version='1.0', headers={
            'Expect': '100-continue'}, body=b'ten-bytes!'))
        reply = conn.read_reply('POST')
        assert reply.status_line == 'HTTP/1.0 200 OK'
        assert reply.body == b'ten-bytes!'


def test_no_100_continue_when_body_already_sent(server):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', headers={
            'Expect': '100-continue'}, body=b'eager'))
        reply = conn.read_reply('POST')
        if reply.status == 100:  # allowed, but then the final one follows
            reply = conn.read_reply('POST')
        assert reply.status == 200 and reply.body == b'eager'
        assert conn.request('GET', '/').body == b'hello'


def test_partly_read_stream_is_skipped_before_next_request(server):
    body = SMUGGLED * (MAX_BODY_LENGTH // len(SMUGGLED) + 20)
    with server.connect() as conn:
        conn.send(build_request('POST', '/stream-partial', body=body)
                  + build_request('GET', '/version'))
        reply = conn.read_reply()
        assert reply.status == 200
        assert json.loads(reply.body) == {'read': 100}
        try:
            reply = conn.read_reply()
        except Exception:  # closing instead of serving the next one is fine
            assert conn.eof or conn.wait_closed()
            return
        assert reply.status == 200 and reply.body == b'1.1'
        conn.wait_closed(timeout=1)  # raises on any further response


def test_small_body_is_also_readable_as_stream(server):
    data = pattern(100)
    with server.connect() as conn:
        reply = conn.request('POST', '/stream', body=data)
        result = json.loads(reply.body)
        assert result['size'] == 100
        assert result['sha256'] == hashlib.sha256(data).hexdigest()


def test_header_names_are_case_insensitive(server):
    with server.connect() as conn:
        conn.send(b'POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n'
                  b'\r\nhello'
                  b'POST /echo HTTP/1.1\r\nHOST: x\r\n'
                  b'TRANSFER-ENCODING: chunked\r\n\r\n' + chunked(b'world'))
        assert conn.read_reply().body == b'hello'
        assert conn.read_reply().body == b'world'


def test_whitespace_around_content_length(server):
    with server.connect() as conn:
        conn.send(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                  b'Content-Length: \t 5 \t\r\n\r\nhello')
        assert conn.read_reply().body == b'hello'


def test_body_on_get_is_skipped(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/', body=b'GET /smuggled HTTP/1.1')
                  + build_request('GET', '/version'))
        assert conn.read_reply().body == b'hello'
        assert conn.read_reply().body == b'1.1'


@pytest.mark.parametrize('framing', ['content-length', 'chunked'])
def test_large_body_reaches_handler_before_it_ends(server, framing):
    # Above max_body_length the body is streamed, not buffered: a handler
    # that reads only the start answers while the client is still sending
    # (on a small device, buffering 16 KiB per request is what the limit
    # is there to avoid).
    first, rest = pattern(6000), pattern(6000)
    if framing == 'chunked':
        head = build_request('POST', '/stream-partial',
                             headers={'Transfer-Encoding': 'chunked'})
        first = b'%x\r\n%s\r\n' % (len(first), first)
        rest = chunked(rest)
    else:
        head = build_request('POST', '/stream-partial',
                             headers={'Content-Length': '12000'})
    with server.connect() as conn:
        conn.send(head + first)
        try:
            reply = conn.read_reply('POST', timeout=5)
        except TimeoutError:
            pytest.fail('the handler did not run before the whole {} body '
                        'arrived: it is buffered, not streamed'.format(
                            framing))
        assert reply.status == 200
        assert json.loads(reply.body) == {'read': 100}
        conn.send(rest)
        try:
            reply = conn.request('GET', '/version')
        except Exception:  # closing instead of serving the next one is fine
            assert conn.eof or conn.wait_closed()
            return
        assert reply.body == b'1.1'
