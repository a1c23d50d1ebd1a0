"""The built-in server's request loops (python/microdot/_server.py) on every
target: MicroPython serves plain TCP connections from a loop of its own
(_serve_socket) that builds Request objects without calling Request() and
hands unusual connections (empty lines before a request line) to the
general loop. These check that requests come out the same as
Request.__init__ makes them, and that the connection keeps serving across
the loop's transitions (trickled heads, empty lines, bodies, responses with
headers, pipelining, errors)."""
import json
import time

import pytest

from servers import Server, build_request
from servers import target_fixture  # noqa: F401 (fixture)


@pytest.fixture(name='h1_server')
def h1_server_fixture(target):
    srv = Server(target, app='h1_request_fields_app.py').start()
    yield srv
    alive = srv.alive()
    srv.stop()
    assert alive, 'the server exited during the test:\n' + srv.output()[-3000:]


def check_fields(reply):
    assert reply.status == 200, reply
    data = json.loads(reply.body)
    assert data['server'] == data['init']
    return data['server']


@pytest.mark.parametrize('method,path,version,body', [
    ('GET', '/fields', '1.1', b''),
    ('GET', '/fields?a=1&b=%20x', '1.1', b''),
    ('POST', '/fields?q', '1.1', b'some body'),
    ('PUT', '/fields', '1.0', b'x' * 100),
])
def test_request_made_as_init_makes_it(h1_server, method, path, version,
                                       body):
    with h1_server.connect() as conn:
        for _ in range(2):  # a fresh connection, then a kept-alive one
            headers = {'Connection': 'keep-alive'} if version == '1.0' \
                else None
            reply = conn.request(method, path, headers=headers, body=body,
                                 version=version)
            made = check_fields(reply)
            assert ('query_string' in made) == ('?' in path)
            assert ('http_version' in made) == (version == '1.0')


def test_trickled_head_then_more_requests(h1_server):
    with h1_server.connect() as conn:
        data = build_request('GET', '/fields?t=1')
        for i in range(len(data)):
            conn.send(data[i:i + 1])
            time.sleep(0.002)
        check_fields(conn.read_reply())
        assert conn.request('GET', '/plain').body == b'plain'
        check_fields(conn.request('GET', '/fields'))


def test_empty_lines_before_request_line_then_more_requests(h1_server):
    with h1_server.connect() as conn:
        conn.send(b'\r\n\r\n' + build_request('GET', '/plain'))
        assert conn.read_reply().body == b'plain'
        check_fields(conn.request('POST', '/fields', body=b'abc'))
        assert conn.request('GET', '/plain').body == b'plain'


def test_pipelined_mix_keeps_order(h1_server):
    with h1_server.connect() as conn:
        conn.send(build_request('GET', '/plain') +
                  build_request('POST', '/fields', body=b'12345') +
                  build_request('GET', '/with-header') +
                  build_request('HEAD', '/plain') +
                  build_request('GET', '/plain'))
        assert conn.read_reply().body == b'plain'
        check_fields(conn.read_reply())
        reply = conn.read_reply()
        assert (reply.body, reply.header('X-H1')) == (b'headed', 'yes')
        reply = conn.read_reply('HEAD')
        assert (reply.status, reply.header('Content-Length'), reply.body) \
            == (200, '5', b'')
        assert conn.read_reply().body == b'plain'
        assert not conn.wait_closed(0.3)


@pytest.mark.parametrize('data,status', [
    (b'GET /plain HTTP/1.1 extra\r\nHost: x\r\n\r\n', 400),
    (b'GET /plain HTTP/1.1\r\nHost: x\r\nX-Long: ' + b'a' * 3000 +
     b'\r\n\r\n', 431),
    (b'POST /fields HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n',
     413),
])
def test_errors_after_a_kept_alive_request(h1_server, data, status):
    with h1_server.connect() as conn:
        assert conn.request('GET', '/plain').body == b'plain'
        conn.send(data)
        reply = conn.read_reply()
        assert reply.status == status
        assert conn.wait_closed()
