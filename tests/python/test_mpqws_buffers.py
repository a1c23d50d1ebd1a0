"""On a heap with no block as big as a full receive buffer (or a payload
buffer rounded up to 1 KiB) left, MicroPython's WebSocket asks for a block
just as big as the frame needs before giving up: a frame that does not fit
the (smaller) receive buffer it started in moves to one of the frame's own
size, and the frame reader's payload buffer is the frame's size. Here the
heap's limit is a stand-in ``bytearray`` that fails above a size (the
modules look it up as a name of theirs first)."""
import pytest

from microdot import websocket, _ws_frames
from microdot._backend import backend


class Ws:
    stream_buffer_size = 2048
    max_message_size = 64 * 1024
    _rbuf = None
    _rpos = _rend = 0


def limited(most):
    def make(size=0):
        if size > most:
            raise MemoryError('no block of %d bytes' % size)
        return bytearray(size)
    return make


@pytest.fixture
def heap_limit(monkeypatch):
    def limit(module, most):
        monkeypatch.setattr(module, 'bytearray', limited(most),
                            raising=False)
    monkeypatch.setattr(websocket, '_free_buf', None)
    return limit


def test_new_buffer_falls_back_to_what_is_asked(heap_limit):
    heap_limit(websocket, 1800)
    assert len(websocket._new_buffer(Ws(), 1704)) == 1704
    assert len(websocket._new_buffer(Ws())) == 1024  # (halved, as before)
    with pytest.raises(MemoryError):
        websocket._new_buffer(Ws(), 1900)


def test_frame_moves_to_a_buffer_of_its_size(heap_limit, monkeypatch):
    payload = b'x' * 1700
    frame = backend.ws_build_header(True, 2, len(payload), b'abcd') + payload
    small = memoryview(bytearray(256))  # (a buffer halved earlier)
    small[:256] = frame[:256]
    ws = Ws()
    heap_limit(websocket, 1800)
    # (_wait_more runs on MicroPython, where _len is the builtin's alias)
    monkeypatch.setattr(websocket, '_len', len, raising=False)
    assert websocket._wait_more(ws, small, 0, 256)
    assert len(ws._rbuf) == len(frame)
    assert bytes(ws._rbuf[:256]) == frame[:256]
    assert (ws._rpos, ws._rend) == (0, 256)


def test_payload_buffer_of_the_frame_size(heap_limit):
    heap_limit(_ws_frames, 1800)
    reader = _ws_frames.FrameReader()
    payload = b'y' * 1700
    reader.feed(backend.ws_build_header(True, 2, len(payload), b'abcd') +
                bytes(payload))  # (masked with abcd: any bytes do here)
    event = reader.next_event()
    assert event[0] == 2 and len(event[1]) == 1700
    assert len(reader._spare) == 1700
