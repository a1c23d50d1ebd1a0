"""Connection management of the built-in server: response version,
keep-alive, pipelining, when the server closes."""
import json
import socket

import httpx
import pytest
import requests

from servers import build_request, chunked

from servers import (  # noqa: F401 (fixtures)
    fresh_server_fixture, server_fixture, server_pool_fixture, target_fixture)


def test_http10_request_gets_http10_response(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/version', version='1.0')
        assert reply.status_line == 'HTTP/1.0 200 OK'
        assert reply.body == b'1.0'


def test_http11_request_gets_http11_response(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/version')
        assert reply.status_line == 'HTTP/1.1 200 OK'
        assert reply.body == b'1.1'


def test_http11_keeps_connection_alive(server):
    with server.connect() as conn:
        peers = set()
        for i in range(5):
            reply = conn.request('GET', '/peer')
            assert reply.status == 200
            assert reply.header('Connection', '').lower() != 'close'
            peers.add(reply.body)
        assert len(peers) == 1
        reply = conn.request('POST', '/echo', body=b'still here')
        assert reply.body == b'still here'


def test_client_addr_is_host_and_port(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/client-addr')
        assert reply.status == 200, reply
        assert json.loads(reply.body) == {
            'host': '127.0.0.1', 'port': conn.sock.getsockname()[1]}


def test_http10_keep_alive_header_keeps_connection(server):
    with server.connect() as conn:
        for i in range(3):
            reply = conn.request('GET', '/version', version='1.0',
                                 headers={'Connection': 'keep-alive'})
            assert reply.status_line == 'HTTP/1.0 200 OK'
            assert reply.header('Connection', '').lower() == 'keep-alive'
            assert reply.framing == 'length'
            assert reply.body == b'1.0'


def test_http10_without_keep_alive_closes(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/', version='1.0')
        assert reply.status == 200 and reply.body == b'hello'
        assert conn.wait_closed(), 'HTTP/1.0 connection left open'


def test_connection_close_closes(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/', headers={'Connection': 'close'})
        assert reply.status == 200 and reply.body == b'hello'
        assert reply.header('Connection', '').lower() == 'close'
        assert conn.wait_closed(), 'Connection: close was not honoured'


def test_connection_close_among_other_tokens(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/', headers={'Connection': 'foo, Close'})
        assert reply.status == 200
        assert conn.wait_closed()


def test_requests_session_reuses_connection(server):
    with requests.Session() as session:
        peers = [session.get(server.url + '/peer', timeout=10).text
                 for i in range(4)]
        reply = session.post(server.url + '/echo', data=b'abc', timeout=10)
        assert reply.content == b'abc'
        peers.append(session.get(server.url + '/peer', timeout=10).text)
    assert len(set(peers)) == 1, peers


def test_httpx_client_reuses_connection(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        peers = [client.get('/peer').text for i in range(4)]
        assert client.post('/echo', content=b'xyz').content == b'xyz'
        peers.append(client.get('/peer').text)
    assert len(set(peers)) == 1, peers


def test_pipelined_gets_answered_in_order(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/version')
                  + build_request('GET', '/')
                  + build_request('GET', '/missing')
                  + build_request('GET', '/version'))
        replies = [conn.read_reply() for i in range(4)]
        assert [r.status for r in replies] == [200, 200, 404, 200]
        assert replies[0].body == b'1.1'
        assert replies[1].body == b'hello'
        assert replies[3].body == b'1.1'


def test_pipelined_posts_with_bodies(server):
    with server.connect() as conn:
        conn.send(build_request('POST', '/echo', body=b'first body')
                  + build_request('GET', '/')
                  + build_request('POST', '/echo', body=b'GET / HTTP/1.1\r\n')
                  + build_request('PUT', '/echo',
                                  headers={'Transfer-Encoding': 'chunked'},
                                  body=chunked(b'chunk', b'ed'))
                  + build_request('POST', '/echo', body=b'last'))
        bodies = [conn.read_reply().body for i in range(5)]
        assert bodies == [b'first body', b'hello', b'GET / HTTP/1.1\r\n',
                          b'chunked', b'last']


def test_pipelined_request_byte_by_byte(server):
    data = build_request('POST', '/echo', body=b'slowly') + \
        build_request('GET', '/version')
    with server.connect() as conn:
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(data)):
            conn.send(data[i:i + 1])
        assert conn.read_reply().body == b'slowly'
        assert conn.read_reply().body == b'1.1'


@pytest.mark.parametrize('version,headers', [
    ('1.1', {'Connection': 'close'}), ('1.0', {})])
def test_pipeline_stops_at_connection_close(server, version, headers):
    with server.connect() as conn:
        conn.send(build_request('GET', '/', headers=headers, version=version)
                  + build_request('GET', '/version'))
        reply = conn.read_reply()
        assert reply.body == b'hello'
        assert conn.wait_closed(), 'requests after Connection: close served'


def test_idle_keep_alive_connection_is_closed(fresh_server):
    server = fresh_server(keep_alive_timeout=1, request_timeout=1)
    with server.connect() as conn:
        assert conn.request('GET', '/').status == 200
        assert conn.request('GET', '/').status == 200
        assert conn.wait_closed(timeout=15), 'idle connection never closed'
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_silent_connection_is_closed(fresh_server):
    server = fresh_server(keep_alive_timeout=1, request_timeout=1)
    with server.connect() as conn:
        assert conn.wait_closed(timeout=15), 'silent connection never closed'


def test_stalled_head_is_closed(fresh_server):
    server = fresh_server(keep_alive_timeout=1, request_timeout=1)
    with server.connect() as conn:
        conn.send(b'GET / HTTP/1.1\r\nHost: x\r\n')  # half a head, then stall
        assert conn.wait_closed_after_error(timeout=15), \
            'stalled half head never timed out'
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_idle_timeout_does_not_cut_slow_handler(fresh_server):
    server = fresh_server(keep_alive_timeout=1, request_timeout=1)
    with server.connect() as conn:
        reply = conn.request('GET', '/sleep?s=2', timeout=15)
        assert reply.status == 200 and reply.body == b'slept'


def test_many_requests_on_one_connection(server):
    with server.connect() as conn:
        for i in range(300):
            if i % 3:
                assert conn.request('GET', '/').body == b'hello'
            else:
                body = b'request %d ' % i * (i % 50)
                assert conn.request('POST', '/echo', body=body).body == body


def test_many_pipelined_requests_in_one_write(server):
    bodies = [b'body number %d' % i * (i % 7) for i in range(60)]
    with server.connect() as conn:
        conn.send(b''.join(build_request('POST', '/echo', body=body)
                           for body in bodies))
        for body in bodies:
            reply = conn.read_reply()
            assert reply.status == 200
            assert reply.body == body


def test_pipelined_slow_request_keeps_order(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/sleep?s=0.5')
                  + build_request('GET', '/version'))
        assert conn.read_reply().body == b'slept'
        assert conn.read_reply().body == b'1.1'


def test_pipelined_chunked_byte_by_byte(server):
    data = build_request('POST', '/echo',
                         headers={'Transfer-Encoding': 'chunked'},
                         body=chunked(b'abc', b'de', extension=b';x=1',
                                      trailers=b'T: v\r\n')) + \
        build_request('GET', '/version')
    with server.connect() as conn:
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(data)):
            conn.send(data[i:i + 1])
        assert conn.read_reply().body == b'abcde'
        assert conn.read_reply().body == b'1.1'


def test_http10_post_with_keep_alive(server):
    with server.connect() as conn:
        for i in range(3):
            reply = conn.request('POST', '/echo', version='1.0',
                                 headers={'Connection': 'keep-alive'},
                                 body=b'ten %d' % i)
            assert reply.status_line == 'HTTP/1.0 200 OK'
            assert reply.body == b'ten %d' % i


def test_client_half_close_still_gets_answer(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/version'))
        conn.sock.shutdown(socket.SHUT_WR)
        reply = conn.read_reply()
        assert reply.body == b'1.1'
        assert conn.wait_closed()


def test_keep_alive_header_on_http11_does_not_close(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/', headers={'Connection': 'keep-alive'})
        assert reply.header('Connection', '').lower() != 'close'
        assert conn.request('GET', '/').body == b'hello'


@pytest.mark.parametrize('value', ['keep-alive', 'Keep-Alive', 'KEEP-ALIVE'])
def test_http10_keep_alive_token_is_case_insensitive(server, value):
    with server.connect() as conn:
        for i in range(2):
            reply = conn.request('GET', '/', version='1.0',
                                 headers={'Connection': value})
            assert reply.body == b'hello'


def test_app_connection_close_header_closes(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/close-me')
        assert reply.body == b'closing'
        assert reply.header('Connection', '').lower() == 'close'
        assert conn.wait_closed(), 'app asked for Connection: close'


def test_a_thousand_pipelined_requests(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/') * 1000)
        for i in range(1000):
            assert conn.read_reply().body == b'hello', i


def test_empty_host_is_accepted(server):
    with server.connect() as conn:
        conn.send(b'GET /version HTTP/1.1\r\nHost:\r\n\r\n')
        reply = conn.read_reply()
        assert reply.status == 200 and reply.body == b'1.1'


def test_listen_backlog_takes_bursts(server):
    # a burst of clients must queue, not be refused (MicroPython's
    # asyncio.start_server listens with a backlog of 5 by default); for a
    # listening socket, ss shows the backlog in its Send-Q column
    import shutil
    import subprocess
    if shutil.which('ss') is None:
        pytest.skip('ss (iproute2) is not installed')
    out = subprocess.run(['ss', '-ltnH', 'sport = :{}'.format(server.port)],
                         capture_output=True, text=True, timeout=10).stdout
    fields = out.split()
    assert fields and fields[0] == 'LISTEN', out
    assert int(fields[2]) >= 64, out
