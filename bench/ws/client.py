"""The load client of the WebSocket benchmark: one connection, binary
messages, raw sockets. The same client drives every server.

    python client.py PORT SIZE INFLIGHT SECONDS [WARMUP]

Prints one JSON line: {"messages": n, "seconds": t, "size": SIZE}.

Every message carries the same random payload, so its masked frame (one fixed
mask key) and the echo frame expected back are built once; a round sends
INFLIGHT frames in one go, then reads the INFLIGHT echoes into a preallocated
buffer and compares them with the expected bytes (one memcmp). INFLIGHT=1 is
ping-pong: send one, wait for its echo. The client stays far faster than the
servers, so the numbers measure the server.
"""
import base64
import hashlib
import json
import os
import select
import socket
import sys
import time

MASK = b'\x5a\x17\xc3\x8e'
# Linux: acknowledge every segment at once, so that a server that leaves
# Nagle's algorithm on (MicroPython's asyncio does) is not held up by our
# delayed ACKs (40 ms per batch); re-armed after each read.
QUICKACK = getattr(socket, 'TCP_QUICKACK', None)
GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


def frame_header(length, mask=None):
    m = 0x80 if mask else 0
    if length < 126:
        head = bytes((0x82, m | length))
    elif length < 0x10000:
        head = bytes((0x82, m | 126)) + length.to_bytes(2, 'big')
    else:
        head = bytes((0x82, m | 127)) + length.to_bytes(8, 'big')
    return head + (mask or b'')


def masked(payload, mask):
    key = (mask * (len(payload) // 4 + 1))[:len(payload)]
    x = int.from_bytes(payload, 'big') ^ int.from_bytes(key, 'big')
    return x.to_bytes(len(payload), 'big')


def connect(port, timeout=10):
    sock = socket.create_connection(('127.0.0.1', port), timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b'GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n'
                 b'Upgrade: websocket\r\nConnection: Upgrade\r\n'
                 b'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n'
                 b'\r\n' % (port, key))
    head = b''
    while b'\r\n\r\n' not in head:
        data = sock.recv(4096)
        if not data:
            raise ConnectionError('closed during the handshake: %r' % head)
        head += data
    head, rest = head.split(b'\r\n\r\n', 1)
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    if not head.startswith(b'HTTP/1.1 101') or accept not in head:
        raise ConnectionError('handshake refused: %r' % head)
    if rest:
        raise ConnectionError('unexpected bytes after the handshake')
    return sock


def quickack(sock):
    if QUICKACK is not None:
        sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)


def exchange(sock, out, buf):
    """Sends `out` and reads exactly len(buf) bytes into `buf`, reading while
    sending so that big batches cannot deadlock on full socket buffers."""
    view = memoryview(buf)
    total = len(buf)
    got = 0
    if len(out) <= 65536:
        sock.sendall(out)
    else:
        outv = memoryview(out)
        sent = 0
        while sent < len(out):
            try:
                sent += sock.send(outv[sent:], socket.MSG_DONTWAIT)
            except BlockingIOError:
                select.select([sock], [sock], [], 10)
            try:
                n = sock.recv_into(view[got:], 0, socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            if not n:
                raise ConnectionError('closed by the server')
            got += n
            quickack(sock)
    while got < total:
        n = sock.recv_into(view[got:])
        if not n:
            raise ConnectionError('closed by the server')
        got += n
        quickack(sock)


def check(buf, expect):
    if buf != expect:
        raise AssertionError('the echo differs from the messages sent')


def run(port, size, inflight, seconds, warmup=0.3):
    payload = os.urandom(size)
    out = (frame_header(size, MASK) + masked(payload, MASK)) * inflight
    expect = (frame_header(size) + payload) * inflight
    buf = bytearray(len(expect))
    sock = connect(port)
    try:
        clock = time.perf_counter
        end = clock() + warmup
        while clock() < end:
            exchange(sock, out, buf)
            check(buf, expect)
        messages = 0
        start = clock()
        end = start + seconds
        while True:
            exchange(sock, out, buf)
            check(buf, expect)
            messages += inflight
            now = clock()
            if now >= end:
                break
        # close 1000, without waiting for the answer
        sock.sendall(b'\x88\x82' + MASK + masked(b'\x03\xe8', MASK))
    finally:
        sock.close()
    return dict(messages=messages, seconds=now - start, size=size)


def run_count(port, size, inflight, count):
    """Sends `count` messages (in rounds of `inflight`) and closes, waiting
    for the server's close frame: a fixed amount of work, for
    instructions.py."""
    payload = os.urandom(size)
    out = (frame_header(size, MASK) + masked(payload, MASK)) * inflight
    expect = (frame_header(size) + payload) * inflight
    buf = bytearray(len(expect))
    sock = connect(port, timeout=600)
    try:
        for _ in range(count // inflight):
            exchange(sock, out, buf)
            check(buf, expect)
        sock.sendall(b'\x88\x82' + MASK + masked(b'\x03\xe8', MASK))
        sock.recv(16)
    finally:
        sock.close()


def main():
    port, size, inflight = (int(a) for a in sys.argv[1:4])
    seconds = float(sys.argv[4])
    warmup = float(sys.argv[5]) if len(sys.argv) > 5 else 0.3
    print(json.dumps(run(port, size, inflight, seconds, warmup)))


if __name__ == '__main__':
    main()
