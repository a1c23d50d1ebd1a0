"""The server under misbehaving clients, logging and shutdown."""
import re
import signal
import socket
import threading
import time

import httpx
import pytest

from servers import Conn, build_request

from servers import (  # noqa: F401 (fixtures)
    fresh_server_fixture, server_fixture, server_pool_fixture, target_fixture)


def test_slow_client_does_not_block_others(server):
    with server.connect() as slow:
        slow.send(b'GET /version HTTP/1.1\r\nHo')  # half a head, then stall
        for i in range(3):
            with server.connect() as other:
                assert other.request('GET', '/').body == b'hello'
        slow.send(b'st: x\r\n\r\n')
        assert slow.read_reply().body == b'1.1'


def test_slow_body_does_not_block_others(server):
    with server.connect() as slow:
        slow.send(build_request('POST', '/echo',
                                headers={'Content-Length': '10'}) + b'12345')
        with server.connect() as other:
            assert other.request('GET', '/').body == b'hello'
        slow.send(b'67890')
        assert slow.read_reply().body == b'1234567890'


def test_slow_handler_does_not_block_others(server):
    with server.connect() as slow:
        slow.send(build_request('GET', '/sleep?s=2'))
        with server.connect() as other:
            assert other.request('GET', '/').body == b'hello'
        # served while the slow one was still sleeping, not after it
        assert not slow.has_data()
        assert slow.read_reply().body == b'slept'


def test_client_disconnect_mid_response(server):
    for i in range(3):
        conn = server.connect()
        conn.send(build_request('GET', '/large'))
        conn.read_exactly(1000)
        conn.abort()
    conn = server.connect()
    conn.send(build_request('GET', '/large'))
    conn.read_exactly(1000)
    conn.close()  # orderly close, with data still unread
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_client_disconnect_before_response(server):
    for i in range(3):
        conn = server.connect()
        conn.send(build_request('GET', '/sleep?s=0.3'))
        conn.abort()
    conn = server.connect()
    conn.send(b'GET / HTTP/1.1\r\nHost: x\r\n')
    conn.abort()
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'
        conn.send(build_request('GET', '/sleep?s=0.5'))
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_many_connections_open_at_once(server):
    conns = [server.connect() for i in range(20)]
    try:
        for conn in conns:
            conn.send(build_request('GET', '/peer'))
        peers = set()
        for conn in conns:
            reply = conn.read_reply()
            assert reply.status == 200
            peers.add(reply.body)
        assert len(peers) == len(conns)
    finally:
        for conn in conns:
            conn.close()


def log_lines(server, requests, timeout=5):
    """The server's output lines, once each (method, path) shows up in one
    (a line is printed after its response is sent, so it may lag)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = server.output().splitlines()
        if all(lines_for(lines, m, p) for m, p in requests) or \
                time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def lines_for(lines, method, path):
    return [line for line in lines
            if re.search(r'\b{}\b'.format(method), line)
            and re.search(r'{}(\s|$|\?)'.format(re.escape(path)), line)]


def test_debug_logs_one_line_per_request(fresh_server):
    server = fresh_server(debug=1)
    paths = ['/', '/version', '/does-not-exist-xyz', '/peer']
    with server.connect() as conn:
        for path in paths:
            conn.request('GET', path)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.post('/echo', content=b'data')
    requests = [('GET', p) for p in paths] + [('POST', '/echo')]
    lines = log_lines(server, requests)
    for method, path in requests:
        assert len(lines_for(lines, method, path)) == 1, (method, path, lines)
    assert '404' in lines_for(lines, 'GET', '/does-not-exist-xyz')[0]


def test_no_request_logging_without_debug(fresh_server):
    server = fresh_server()
    with server.connect() as conn:
        conn.request('GET', '/version')
        conn.request('GET', '/')  # by now /version would have been logged
    server.stop()
    assert '/version' not in server.output()


def test_shutdown_from_handler(fresh_server):
    server = fresh_server()
    with server.connect() as conn:
        reply = conn.request('GET', '/shutdown')
        assert reply.status == 200
        assert reply.body == b'bye'
    code = server.wait_exit(timeout=15)
    assert code is not None, 'server still running after shutdown()'
    assert code == 0, server.output()


def test_shutdown_with_idle_keep_alive_connection(fresh_server):
    # an idle keep-alive connection must not keep the server alive
    server = fresh_server()
    idle = server.connect()
    try:
        assert idle.request('GET', '/').body == b'hello'
        with server.connect() as conn:
            assert conn.request('GET', '/shutdown').body == b'bye'
        assert server.wait_exit(timeout=15) is not None, \
            'server kept running for an idle connection after shutdown()'
    finally:
        idle.close()


def test_shutdown_lets_request_in_progress_finish(fresh_server):
    server = fresh_server()
    with server.connect() as slow:
        slow.send(build_request('GET', '/sleep?s=1'))
        with server.connect() as conn:
            assert conn.request('GET', '/shutdown').body == b'bye'
        reply = slow.read_reply()
        assert reply.status == 200 and reply.body == b'slept'
    assert server.wait_exit(timeout=15) is not None


def test_closed_connections_release_their_descriptors(fresh_server):
    # With at most 64 open files, a server that leaks one descriptor per
    # connection stops accepting long before 300 connections.
    server = fresh_server(nofile=64)
    for i in range(150):
        with server.connect() as conn:  # the client closes first
            assert conn.request('GET', '/').status == 200
    for i in range(150):
        with server.connect() as conn:  # the server closes first
            reply = conn.request('GET', '/', headers={'Connection': 'close'})
            assert reply.status == 200
            assert conn.wait_closed()
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_many_stalled_clients_do_not_block_others(server):
    stalled = [server.connect() for i in range(40)]
    try:
        for i, conn in enumerate(stalled):
            conn.send(b'GET / HTTP/1.1\r\nHost: x\r\nX-Part' if i % 2 else
                      build_request('POST', '/echo',
                                    headers={'Content-Length': '100'}))
        with server.connect() as conn:
            assert conn.request('GET', '/').body == b'hello'
    finally:
        for conn in stalled:
            conn.close()


def test_pipelined_large_responses_with_backpressure(server):
    # The client writes many requests before reading any of the 100 KB
    # answers: the server must neither deadlock nor drop data.
    count, size = 30, 100 * 1000
    expected = bytes(i % 251 for i in range(size))
    with server.connect() as conn:
        conn.send(b''.join(build_request('GET', '/bytes?n=%d' % size)
                           for i in range(count)))
        for i in range(count):
            reply = conn.read_reply(timeout=30)
            assert reply.status == 200
            assert reply.body == expected


def test_pipelined_plain_responses_with_backpressure(server):
    # The same with answers under 64 KB, which the server writes in one
    # piece (on MicroPython straight to the socket): what the socket does
    # not take must still arrive, whole and in order.
    # (more than the 4 MB a socket's send buffer may grow to here)
    count = 100
    sizes = [50000 + 130 * i for i in range(count)]
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # (small)
    sock.settimeout(30)
    sock.connect(('127.0.0.1', server.port))
    with Conn(sock) as conn:
        conn.send(b''.join(build_request('GET', '/bytes?n=%d' % size)
                           for size in sizes))
        time.sleep(1)  # (the server's socket buffer fills up meanwhile)
        for size in sizes:
            reply = conn.read_reply(timeout=30)
            assert reply.status == 200
            assert reply.body == bytes(i % 251 for i in range(size))


def test_sync_handler_does_not_block_others_on_cpython(server, target):
    if not target.startswith('cpython'):
        pytest.skip('MicroPython runs sync handlers inline, by design')
    with server.connect() as slow:
        slow.send(build_request('GET', '/sync-sleep?s=2'))
        with server.connect() as other:
            assert other.request('GET', '/').body == b'hello'
        assert not slow.has_data(), 'the sync handler blocked the server'
        assert slow.read_reply().body == b'slept in a thread'


def test_shutdown_from_sync_handler(fresh_server):
    server = fresh_server()
    with server.connect() as conn:
        reply = conn.request('GET', '/sync-shutdown')
        assert reply.status == 200 and reply.body == b'bye from a thread'
    code = server.wait_exit(timeout=15)
    assert code is not None, 'server still running after shutdown()'
    assert code == 0, server.output()


def test_no_memory_growth_per_request_on_a_small_heap(fresh_server, target):
    # A device-sized heap: a server that keeps memory per request or per
    # connection runs out long before the end.
    if not target.startswith('micropython'):
        pytest.skip('the heap size is a MicroPython setting')
    server = fresh_server(heapsize='512k')
    body = b'm' * 3000
    for i in range(20):
        with server.connect() as conn:
            for j in range(20):
                assert conn.request('POST', '/echo', body=body).body == body
            assert conn.request('GET', '/gen').body == b'one two three'
    assert 'MemoryError' not in server.output()


def test_ctrl_c_stops_cleanly(fresh_server):
    server = fresh_server()
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'  # left open, idle
        server.proc.send_signal(signal.SIGINT)
        assert server.wait_exit(timeout=15) == 0, server.output()
    assert 'Traceback' not in server.output()


def test_concurrent_clients_get_their_own_answers(server):
    # Several threads, each with its own keep-alive connection, interleave
    # requests: every answer must belong to the request that asked for it.
    errors = []

    def client(n):
        try:
            with httpx.Client(base_url=server.url, timeout=20) as http:
                for i in range(25):
                    body = b'client %d request %d ' % (n, i) * (1 + i * 7)
                    reply = http.post('/echo', content=body)
                    if reply.content != body:
                        errors.append((n, i, reply.status_code))
                    if http.get('/version').text != '1.1':
                        errors.append((n, i, 'version'))
        except Exception as exc:  # reported below, with the others
            errors.append((n, repr(exc)))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
