"""Reading tests/vectors/ for the backend tests (test_backend_vectors.py,
test_diff_backends.py), and the chunked decoder fed in pieces as a server
feeds it."""
import json
import os

VECTORS = os.path.join(os.path.dirname(__file__), '..', 'vectors')


def load(name):
    with open(os.path.join(VECTORS, name + '.json'), encoding='utf-8') as f:
        return json.load(f)


def raw(s):
    """A vector byte string: each code point is one byte."""
    return s.encode('latin-1')


def decode_pieces(be, data, cuts):
    """Feeds data to backend be's chunked decoder cut at `cuts` (offsets):
    (payload, next, done), or ('next short of the end', next, piece length)
    when the decoder leaves part of a piece unread before the body is done
    (a broken contract; no expected result looks like it). The decoder's
    exceptions propagate: each caller decides which are outcomes."""
    state = be.new_chunked()
    payload = b''
    bounds = [0] + list(cuts) + [len(data)]
    for a, b in zip(bounds, bounds[1:]):
        buf = bytearray(data[a:b])
        data_end, nxt, done = be.chunked_decode(state, buf, 0, len(buf))
        payload += bytes(buf[:data_end])
        if done:
            return (payload, a + nxt, True)
        if nxt != len(buf):
            return ('next short of the end', nxt, len(buf))
    return (payload, len(data), False)
