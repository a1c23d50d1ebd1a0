"""Response heads of the built-in server's common path (a small body in
memory, no header but Content-Type), which reuses the head it built last:
requests on one connection that change one thing at a time (length,
content type, status, HTTP version, keep-alive) must each get their own
exact head."""
import pytest

from servers import build_request

from servers import (  # noqa: F401 (fixtures)
    server_fixture, server_pool_fixture, target_fixture)

# path, version, request headers -> status line, content type, body, whether
# the connection stays open, the Connection header expected
CASES = [
    ('/', '1.1', {}, 'HTTP/1.1 200 OK', 'text/plain; charset=UTF-8',
     b'hello', True, None),
    ('/bytes?n=3', '1.1', {}, 'HTTP/1.1 200 OK', 'application/octet-stream',
     bytes(range(3)), True, None),
    ('/bytes?n=4', '1.1', {}, 'HTTP/1.1 200 OK', 'application/octet-stream',
     bytes(range(4)), True, None),
    ('/bytes?n=4', '1.1', {}, 'HTTP/1.1 200 OK', 'application/octet-stream',
     bytes(range(4)), True, None),
    ('/', '1.1', {}, 'HTTP/1.1 200 OK', 'text/plain; charset=UTF-8',
     b'hello', True, None),
    ('/only-get', '1.1', {}, 'HTTP/1.1 200 OK', 'text/plain; charset=UTF-8',
     b'only get', True, None),
    ('/', '1.0', {'Connection': 'keep-alive'}, 'HTTP/1.0 200 OK',
     'text/plain; charset=UTF-8', b'hello', True, 'keep-alive'),
    ('/', '1.1', {}, 'HTTP/1.1 200 OK', 'text/plain; charset=UTF-8',
     b'hello', True, None),
    ('/', '1.1', {'Connection': 'close'}, 'HTTP/1.1 200 OK',
     'text/plain; charset=UTF-8', b'hello', False, 'close'),
]


def check(reply, case):
    _, _, _, status_line, content_type, body, _, connection = case
    assert reply.status_line == status_line
    assert reply.header('Content-Type') == content_type
    assert reply.header('Content-Length') == str(len(body))
    assert reply.body == body
    assert reply.header('Connection') == connection
    names = [name.lower() for name, _ in reply.header_list]
    assert len(names) == len(set(names)), reply.header_list


def test_heads_one_at_a_time(server, target):
    with server.connect() as conn:
        for case in CASES:
            path, version, headers = case[:3]
            check(conn.request('GET', path, headers, version=version), case)
        assert conn.wait_closed()


def test_heads_pipelined(server, target):
    with server.connect() as conn:
        conn.send(b''.join(build_request('GET', case[0], case[2],
                                         version=case[1]) for case in CASES))
        for case in CASES:
            check(conn.read_reply(), case)
        assert conn.wait_closed()


@pytest.mark.parametrize('code', [404, 201])
def test_status_changes_between_same_length_bodies(server, target, code):
    # /status/<code> answers an empty body: same length, other status
    with server.connect() as conn:
        first = conn.request('GET', '/status/200')
        other = conn.request('GET', '/status/%d' % code)
        again = conn.request('GET', '/status/200')
    assert first.status_line == again.status_line == 'HTTP/1.1 200 OK'
    assert other.status == code
    assert other.status_line.startswith('HTTP/1.1 %d ' % code)
