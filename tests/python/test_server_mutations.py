"""Mutated requests (a fixed random seed, so failures reproduce): whatever
arrives, the server answers with well-formed responses or closes, never
hangs, never answers 500 and never dies."""
import random
import socket

import pytest

from servers import Closed, build_request, chunked
from servers import (  # noqa: F401 (fixtures)
    fresh_server_fixture, server_fixture, server_pool_fixture, target_fixture)

BASES = [
    build_request('GET', '/version?a=1&b=2', headers={'Accept': '*/*'}),
    build_request('POST', '/echo', body=b'0123456789abcdef'),
    build_request('POST', '/echo', headers={'Transfer-Encoding': 'chunked'},
                  body=chunked(b'abc', b'defg', extension=b';e=1',
                               trailers=b'T: 1\r\n')),
    build_request('GET', '/', version='1.0',
                  headers={'Connection': 'keep-alive'}),
    build_request('POST', '/echo', headers={'Expect': '100-continue'},
                  body=b'xyz'),
]
ALLOWED = {100, 200, 400, 404, 405, 413, 414, 417, 431, 501, 505}


def mutate(rng, data):
    data = bytearray(data)
    for i in range(rng.randint(1, 3)):
        pos = rng.randrange(len(data))
        choice = rng.randrange(5)
        if choice == 0:
            data[pos] = rng.randrange(256)
        elif choice == 1:
            data.insert(pos, rng.choice(b' \t\r\n:;,0aZ\x00\xff'))
        elif choice == 2:
            del data[pos]
        elif choice == 3:
            end = min(len(data), pos + rng.randint(1, 20))
            data[pos:pos] = data[pos:end]
        else:
            del data[pos:]
        if not data:
            data = bytearray(b'\r\n')
    return bytes(data)


@pytest.mark.parametrize('seed', range(8))
def test_mutated_requests(server, seed):
    rng = random.Random(seed)
    for case in range(40):
        data = mutate(rng, rng.choice(BASES))
        with server.connect() as conn:
            conn.send(data)
            try:
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the server already closed: fine
            statuses = []
            while True:
                try:
                    reply = conn.read_reply(timeout=5)
                except Closed:
                    break
                except TimeoutError:
                    pytest.fail('no answer and no close for {!r}'.format(data))
                statuses.append(reply.status)
                assert reply.status in ALLOWED, (data, reply)
            assert len(statuses) <= 3, (data, statuses)
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'
