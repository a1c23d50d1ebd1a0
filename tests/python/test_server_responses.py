"""Responses of the built-in server as they appear on the wire: framing of
streamed bodies, HEAD, 404/405, errors in handlers, send_file."""
import os

import httpx
import pytest

from servers import build_request

from servers import (  # noqa: F401 (fixtures)
    fresh_server_fixture, server_fixture, server_pool_fixture, target_fixture)


def check_chunk_framing(raw, expected):
    """Parses `raw` strictly as chunked framing and returns the payload."""
    payload = b''
    rest = raw
    while True:
        line, sep, rest = rest.partition(b'\r\n')
        assert sep, 'chunk size line not CRLF-terminated'
        size = int(line, 16)  # no extensions expected from the server
        assert line == b'%x' % size or line == b'%X' % size, line
        if size == 0:
            assert rest == b'\r\n', 'bad end of chunked body: %r' % rest
            return payload
        assert size > 0
        assert rest[size:size + 2] == b'\r\n'
        payload += rest[:size]
        rest = rest[size + 2:]


STREAMS = {'gen': ('/gen', b'one two three'),      # sync generator
           'aiter': ('/aiter', b'4;3;2;1;0;'),     # class-based async iterator
           'agen': ('/agen', b'alpha beta gamma')}  # async generator


def stream_route(kind, target):
    if kind == 'agen' and not target.startswith('cpython'):
        pytest.skip('MicroPython has no async generators')
    return STREAMS[kind]


@pytest.mark.parametrize('kind', list(STREAMS))
def test_streamed_response_is_chunked_on_http11(server, target, kind):
    path, expected = stream_route(kind, target)
    with server.connect() as conn:
        reply = conn.request('GET', path)
        assert reply.status == 200
        assert reply.header('Transfer-Encoding', '').lower() == 'chunked'
        assert reply.header('Content-Length') is None
        assert check_chunk_framing(reply.raw_body, expected) == expected
        # the connection survives a streamed response
        assert conn.request('GET', '/').body == b'hello'


@pytest.mark.parametrize('kind', list(STREAMS))
def test_streamed_response_is_close_delimited_on_http10(server, target,
                                                        kind):
    path, expected = stream_route(kind, target)
    with server.connect() as conn:
        reply = conn.request('GET', path, version='1.0',
                             headers={'Connection': 'keep-alive'})
        assert reply.status_line.startswith('HTTP/1.0 200')
        assert reply.header('Transfer-Encoding') is None
        assert reply.framing == 'close'
        assert reply.body == expected


def test_streamed_response_with_httpx(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream('GET', '/large') as reply:
            size = 0
            for data in reply.iter_bytes():
                assert data == b'x' * len(data)
                size += len(data)
        assert size == 256 * 8192
        assert client.get('/').text == 'hello'


def test_head_on_get_route(server):
    with server.connect() as conn:
        reply = conn.request('HEAD', '/')
        assert reply.status == 200
        assert reply.header('Content-Length') == '5'
        assert reply.header('Content-Type', '').startswith('text/plain')
        # no body was sent: the next bytes are the next response
        reply = conn.request('GET', '/version')
        assert reply.status_line == 'HTTP/1.1 200 OK'
        assert reply.body == b'1.1'


def test_head_on_streamed_route_sends_no_body(server):
    with server.connect() as conn:
        reply = conn.request('HEAD', '/gen')
        assert reply.status == 200
        reply = conn.request('GET', '/version')
        assert reply.status_line == 'HTTP/1.1 200 OK'


def test_head_pipelined(server):
    with server.connect() as conn:
        conn.send(build_request('HEAD', '/') + build_request('GET', '/'))
        head = conn.read_reply('HEAD')
        assert head.header('Content-Length') == '5'
        assert conn.read_reply().body == b'hello'


def test_not_found(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/does/not/exist')
        assert reply.status == 404
        assert conn.request('GET', '/').status == 200


def test_method_not_allowed_lists_allowed_methods(server):
    with server.connect() as conn:
        reply = conn.request('POST', '/only-get', body=b'data')
        assert reply.status == 405
        allow = [m.strip() for m in reply.header('Allow', '').split(',')]
        assert 'GET' in allow
        assert 'POST' not in allow
        reply = conn.request('DELETE', '/only-get')
        assert reply.status == 405
        assert conn.request('GET', '/only-get').body == b'only get'


@pytest.mark.parametrize('path', ['/error', '/sync-error'])
def test_handler_exception_is_500_and_server_keeps_serving(server, path):
    with server.connect() as conn:
        reply = conn.request('GET', path)
        assert reply.status == 500
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get(path).status_code == 500
        assert client.get('/').text == 'hello'


@pytest.fixture
def big_file(tmp_path):
    data = os.urandom(100 * 1024 + 7)
    path = tmp_path / 'blob.png'
    path.write_bytes(data)
    return path, data


def test_send_file_larger_than_buffer(fresh_server, big_file):
    path, data = big_file
    server = fresh_server(file=path)
    with server.connect() as conn:
        reply = conn.request('GET', '/file')
        assert reply.status == 200
        assert reply.header('Content-Type') == 'image/png'
        if reply.framing == 'length':
            assert int(reply.header('Content-Length')) == len(data)
        assert reply.body == data
        reply = conn.request('GET', '/file-typed')
        assert reply.header('Content-Type') == 'application/x-test'
        assert reply.body == data
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for i in range(3):
            assert client.get('/file').content == data


def test_head_and_body_arrive_together_correctly(server):
    # whatever number of writes the server uses, head and body are intact
    with server.connect() as conn:
        for i in range(20):
            reply = conn.request('POST', '/echo', body=b'%d' % i)
            assert reply.status_line == 'HTTP/1.1 200 OK'
            assert reply.header('Content-Length') == str(len(b'%d' % i))
            assert reply.header('Content-Type') == 'application/octet-stream'
            assert reply.body == b'%d' % i


def test_error_in_streamed_body_cuts_response_short(server):
    # The head is out when the generator fails: the response must not look
    # complete (no last chunk), the connection closes, the server goes on.
    with server.connect() as conn:
        conn.send(build_request('GET', '/gen-error'))
        status_line, headers = conn.read_head()
        assert status_line == 'HTTP/1.1 200 OK'
        rest = conn.read_to_eof()
        assert b'partial' in rest
        assert not rest.endswith(b'0\r\n\r\n'), \
            'a failed streamed body was terminated as if complete'
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_error_in_streamed_body_on_http10(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/gen-error', version='1.0')
        assert reply.framing == 'close'
        assert reply.body.startswith(b'partial')
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


@pytest.mark.parametrize('size', [0, 1, 65535, 65536, 200 * 1024])
def test_bytes_body_sizes(server, size):
    expected = bytes(i % 251 for i in range(size))
    with server.connect() as conn:
        reply = conn.request('GET', '/bytes?n=%d' % size)
        assert reply.status == 200
        assert reply.header('Content-Length') == str(size)
        assert reply.body == expected
        assert conn.request('GET', '/').body == b'hello'


def test_error_responses_use_request_version(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/missing', version='1.0')
        assert reply.status_line.startswith('HTTP/1.0 404')
    with server.connect() as conn:
        reply = conn.request('GET', '/error', version='1.0')
        assert reply.status_line.startswith('HTTP/1.0 500')
    with server.connect() as conn:
        reply = conn.request('POST', '/only-get', version='1.0', body=b'x')
        assert reply.status_line.startswith('HTTP/1.0 405')


def test_500_keeps_connection_alive(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/error') + build_request('GET', '/'))
        assert conn.read_reply().status == 500
        assert conn.read_reply().body == b'hello'


def test_head_on_send_file(fresh_server, big_file):
    path, data = big_file
    server = fresh_server(file=path)
    with server.connect() as conn:
        reply = conn.request('HEAD', '/file')
        assert reply.status == 200
        assert reply.header('Content-Type') == 'image/png'
        length = reply.header('Content-Length')
        assert length is None or int(length) == len(data)
        reply = conn.request('GET', '/version')
        assert reply.status_line == 'HTTP/1.1 200 OK'


def test_absolute_form_target(server):
    with server.connect() as conn:
        reply = conn.request('GET', 'http://127.0.0.1/version')
        assert reply.status == 200 and reply.body == b'1.1'


def test_asterisk_form_target_gets_an_answer(server):
    with server.connect() as conn:
        reply = conn.request('OPTIONS', '*')
        assert reply.status in (200, 204, 400, 404, 405, 501)
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_head_on_missing_route(server):
    with server.connect() as conn:
        conn.send(build_request('HEAD', '/missing')
                  + build_request('GET', '/'))
        assert conn.read_reply('HEAD').status == 404
        assert conn.read_reply().body == b'hello'


@pytest.mark.parametrize('code', [204, 304])
def test_responses_without_body(server, code):
    with server.connect() as conn:
        conn.send(build_request('GET', '/status/%d' % code)
                  + build_request('GET', '/'))
        reply = conn.read_reply()
        assert reply.status == code
        assert reply.header('Transfer-Encoding') is None
        # no default framing or type for a status without content (RFC 9110
        # 8.6, 15.4.5; PEP 3333's checker refuses a Content-Type there)
        assert reply.header('Content-Length') is None
        assert reply.header('Content-Type') is None
        assert conn.read_reply().body == b'hello'  # nothing sent in between


def test_streamed_response_with_connection_close(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/gen', headers={'Connection': 'close'})
        assert reply.body == b'one two three'
        assert conn.wait_closed()


@pytest.mark.parametrize('path', ['/inject-header', '/inject-reason'])
def test_crlf_in_response_head_is_not_sent(server, path):
    with server.connect() as conn:
        conn.send(build_request('GET', path) + build_request('GET', '/'))
        reply = conn.read_reply()
        assert reply.header('Set-Cookie') is None, reply
        assert 'injected' not in reply.status_line
        assert reply.status in (200, 500)  # sanitised, or refused
        try:
            reply = conn.read_reply()
        except Exception:
            return  # closing after the 500 is fine
        assert reply.body == b'hello'
