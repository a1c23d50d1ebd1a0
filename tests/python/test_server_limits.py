"""Malformed and oversized request heads: the server answers with a clear
error status, closes the connection and keeps serving others."""
import json

import pytest

from servers import (  # noqa: F401 (fixtures)
    fresh_server_fixture, server_fixture, server_pool_fixture, target_fixture)

MAX_READLINE = 2 * 1024


def send_raw(server, data, expected_status):
    with server.connect() as conn:
        conn.send(data)
        reply = conn.read_reply()
        assert reply.status == expected_status, reply
        assert reply.version in ('HTTP/1.0', 'HTTP/1.1')
        assert conn.wait_closed(), \
            'connection left open after a {}'.format(expected_status)
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


MALFORMED = [
    ('bad-method-chars', b'GE(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400),
    ('method-with-slash', b'GE/T / HTTP/1.1\r\nHost: x\r\n\r\n', 400),
    ('space-before-colon', b'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400),
    ('obs-fold', b'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', 400),
    ('no-colon', b'GET / HTTP/1.1\r\nHost: x\r\nJustAName\r\n\r\n', 400),
    ('empty-name', b'GET / HTTP/1.1\r\nHost: x\r\n: value\r\n\r\n', 400),
    ('control-char-in-value',
     b'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n', 400),
    ('missing-target', b'GET HTTP/1.1\r\nHost: x\r\n\r\n', 400),
    ('extra-spaces', b'GET  /  HTTP/1.1\r\nHost: x\r\n\r\n', 400),
    ('trailing-space-request-line',
     b'GET / HTTP/1.1 \r\nHost: x\r\n\r\n', 400),
    ('tab-before-colon', b'GET / HTTP/1.1\r\nHost\t: x\r\n\r\n', 400),
    ('garbage-version', b'GET / HTTX/1.1\r\nHost: x\r\n\r\n', 400),
    ('lowercase-version', b'GET / http/1.1\r\nHost: x\r\n\r\n', 400),
    ('http2-version', b'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505),
    ('http3-version', b'GET / HTTP/3.0\r\nHost: x\r\n\r\n', 505),
    ('cl-and-te', b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n'
     b'Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 400),
    ('cl-not-a-number', b'POST /echo HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: 12a\r\n\r\n', 400),
    ('cl-negative', b'POST /echo HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: -1\r\n\r\n', 400),
    ('cl-plus-sign', b'POST /echo HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: +3\r\n\r\nabc', 400),
    ('cl-conflicting', b'POST /echo HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400),
    ('cl-list-conflicting', b'POST /echo HTTP/1.1\r\nHost: x\r\n'
     b'Content-Length: 3, 4\r\n\r\nabcd', 400),
    ('te-gzip', b'POST /echo HTTP/1.1\r\nHost: x\r\n'
     b'Transfer-Encoding: gzip\r\n\r\n', 501),
    ('te-on-http10', b'POST /echo HTTP/1.0\r\n'
     b'Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 400),
    ('missing-host-http11', b'GET / HTTP/1.1\r\nX-A: b\r\n\r\n', 400),
    ('two-hosts-http11', b'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
     400),
]


@pytest.mark.parametrize('data,status', [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_head(server, data, status):
    send_raw(server, data, status)


def test_binary_garbage_is_400(server):
    send_raw(server, b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' * 4
             + b'\r\n\r\n', 400)


def test_request_line_too_long_is_414(server):
    path = '/' + 'a' * (MAX_READLINE + 100)
    send_raw(server, 'GET {} HTTP/1.1\r\nHost: x\r\n\r\n'.format(path)
             .encode(), 414)


def test_request_line_just_below_limit_is_served(server):
    # a long path that fits: 404, not 414
    path = '/' + 'a' * (MAX_READLINE - 100)
    with server.connect() as conn:
        reply = conn.request('GET', path)
        assert reply.status == 404


def test_request_line_too_long_without_end_is_414(server):
    # the line never ends: the server must not wait for the rest of it
    with server.connect() as conn:
        conn.send(b'GET /' + b'a' * (MAX_READLINE + 100))
        reply = conn.read_reply()
        assert reply.status == 414
        assert conn.wait_closed()


def test_too_many_headers_is_431(server):
    headers = b''.join(b'X-H%d: v\r\n' % i for i in range(500))
    send_raw(server, b'GET / HTTP/1.1\r\nHost: x\r\n' + headers + b'\r\n',
             431)


def test_header_too_large_is_431(server):
    value = b'v' * (64 * 1024)
    send_raw(server, b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + value
             + b'\r\n\r\n', 431)


def test_unterminated_huge_head_is_431(server):
    # headers keep coming and never end: the server must stop reading
    with server.connect() as conn:
        conn.send(b'GET / HTTP/1.1\r\nHost: x\r\n')
        for i in range(200):
            if not conn.send(b'X-Filler-%d: %s\r\n' % (i, b'f' * 500)):
                break
        reply = conn.read_reply()
        assert reply.status == 431
        assert conn.wait_closed()


def test_error_on_keep_alive_connection_closes_it(server):
    with server.connect() as conn:
        assert conn.request('GET', '/').status == 200
        conn.send(b'GET / HTTP/1.1\r\nHost : x\r\n\r\n'
                  b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
        reply = conn.read_reply()
        assert reply.status == 400
        assert conn.wait_closed(), 'served a request after a bad head'


def test_empty_lines_before_request_are_ignored(server):
    # RFC 9112 2.2: a server should ignore at least one empty line before
    # the request line
    with server.connect() as conn:
        conn.send(b'\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n')
        reply = conn.read_reply()
        assert reply.status == 200 and reply.body == b'hello'


def test_bare_lf_line_endings_are_accepted(server):
    with server.connect() as conn:
        conn.send(b'GET / HTTP/1.1\nHost: x\n\n')
        reply = conn.read_reply()
        assert reply.status == 200 and reply.body == b'hello'


def test_forty_headers_are_accepted(server):
    headers = [('X-Header-%d' % i, 'value %d' % i) for i in range(40)]
    with server.connect() as conn:
        reply = conn.request('GET', '/', headers=headers)
        assert reply.status == 200 and reply.body == b'hello'


ODD_TARGETS = [
    ('utf8-path', b'/caf\xc3\xa9'),
    ('invalid-utf8-path', b'/\xff\xfe'),
    ('nul-in-path', b'/a\x00b'),
    ('invalid-utf8-query', b'/version?q=\xff'),
    ('bad-percent-escape', b'/ver%zzsion'),
]


@pytest.mark.parametrize('path', [t[1] for t in ODD_TARGETS],
                         ids=[t[0] for t in ODD_TARGETS])
def test_odd_targets_get_a_clear_answer(server, path):
    with server.connect() as conn:
        conn.send(b'GET ' + path + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        reply = conn.read_reply()
        assert reply.status in (200, 400, 404), reply
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_limits_follow_request_attributes(fresh_server):
    server = fresh_server(max_readline=256, max_content_length=1000,
                          max_body_length=500)
    with server.connect() as conn:
        assert conn.request('GET', '/' + 'a' * 200).status == 404
        assert conn.request('POST', '/echo', body=b'b' * 400).body == \
            b'b' * 400
        reply = conn.request('POST', '/stream', body=b'c' * 1000)
        assert reply.status == 200
        assert json.loads(reply.body)['size'] == 1000
    with server.connect() as conn:
        conn.send(b'GET /' + b'a' * 300 + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        assert conn.read_reply().status == 414
        assert conn.wait_closed()
    with server.connect() as conn:
        conn.send(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                  b'Content-Length: 1001\r\n\r\n')
        assert conn.read_reply().status == 413
        assert conn.wait_closed()


def test_flood_of_empty_lines_is_bounded(server):
    with server.connect() as conn:
        conn.send(b'\r\n' * 20000)
        assert conn.wait_closed_after_error(), \
            'the server kept reading empty lines'
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'
