"""Sans-IO tests of the WebSocket frame reader (microdot.websocket.FrameReader)
over every available backend: bytes in, events or close codes out."""
import importlib
import struct

import pytest

from microdot import websocket
from microdot.websocket import FrameReader, ProtocolError


def _backends():
    names = ['_pure']
    try:
        importlib.import_module('microdot._cffi')
        names.append('_cffi')
    except ImportError:
        pass
    return names


@pytest.fixture(params=_backends(), autouse=True)
def backend(request, monkeypatch):
    module = importlib.import_module('microdot.' + request.param)
    monkeypatch.setattr(websocket, 'backend', module)
    return module


def frame(opcode, payload, fin=True, mask=b'\x37\xfa\x21\x3d', rsv=0):
    """A client frame, built independently of the code under test."""
    head = bytearray([(0x80 if fin else 0) | rsv | opcode])
    m = 0x80 if mask is not None else 0
    n = len(payload)
    if n < 126:
        head.append(m | n)
    elif n < 65536:
        head.append(m | 126)
        head += struct.pack('!H', n)
    else:
        head.append(m | 127)
        head += struct.pack('!Q', n)
    if mask is None:
        return bytes(head) + bytes(payload)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes(head) + mask + body


def events(data, max_size=None, pieces=None):
    """All events from data, fed whole (pieces=None) or in pieces of the
    given size."""
    reader = FrameReader(max_size)
    out = []
    step = pieces or max(len(data), 1)
    for i in range(0, len(data), step):
        reader.feed(data[i:i + step])
        while True:
            event = reader.next_event()
            if event is None:
                break
            out.append(event)
    return out


def close_code(data, **kw):
    with pytest.raises(ProtocolError) as exc:
        events(data, **kw)
    return exc.value.code


@pytest.mark.parametrize('pieces', [None, 1, 3, 7])
def test_messages_whole_and_byte_by_byte(pieces):
    data = (frame(1, 'héllo'.encode()) + frame(2, b'\x00\xff') +
            frame(9, b'ping') + frame(10, b'') + frame(8, b'\x03\xe8ok'))
    assert events(data, pieces=pieces) == [
        (1, 'héllo'), (2, b'\x00\xff'), (9, b'ping'), (10, b''),
        (8, 1000, 'ok')]


def test_trailing_bytes_stay_buffered():
    data = frame(1, b'one') + frame(1, b'two')[:3]
    reader = FrameReader()
    reader.feed(data)
    assert reader.next_event() == (1, 'one')
    assert reader.next_event() is None
    reader.feed(frame(1, b'two')[3:])
    assert reader.next_event() == (1, 'two')


@pytest.mark.parametrize('size', [125, 126, 65535, 65536, 200000])
def test_length_encodings(size):
    payload = bytes(range(256)) * (size // 256) + b'x' * (size % 256)
    assert events(frame(2, payload), pieces=4096) == [(2, payload)]


@pytest.mark.parametrize('pieces', [None, 1])
def test_fragmented_message_with_interleaved_control(pieces):
    text = 'κόσμε'.encode()
    data = (frame(1, text[:3], fin=False) + frame(9, b'p') +
            frame(0, text[3:7], fin=False) + frame(0, text[7:]))
    assert events(data, pieces=pieces) == [(9, b'p'), (1, 'κόσμε')]


def test_empty_fragments():
    data = frame(2, b'', fin=False) + frame(0, b'', fin=False) + frame(0, b'')
    assert events(data) == [(2, b'')]


def test_unmasked_client_frame_is_rejected():
    assert close_code(frame(1, b'hi', mask=None)) == 1002


@pytest.mark.parametrize('rsv', [0x40, 0x20, 0x10])
def test_reserved_bits(rsv):
    assert close_code(frame(1, b'hi', rsv=rsv)) == 1002


@pytest.mark.parametrize('opcode', [3, 7, 11, 15])
def test_reserved_opcodes(opcode):
    assert close_code(frame(opcode, b'')) == 1002


def test_control_frames_limits():
    assert close_code(frame(9, b'x' * 126)) == 1002
    assert close_code(frame(9, b'x', fin=False)) == 1002
    assert events(frame(9, b'x' * 125)) == [(9, b'x' * 125)]


def test_fragment_sequence_errors():
    assert close_code(frame(0, b'x')) == 1002
    assert close_code(frame(1, b'a', fin=False) + frame(1, b'b')) == 1002


@pytest.mark.parametrize('bad', [b'\xff', b'\xc0\xaf', b'\xed\xa0\x80',
                                 b'\xf4\x90\x80\x80', b'ok\xce'])
def test_invalid_utf8_text_closes_1007(bad):
    assert close_code(frame(1, bad)) == 1007
    assert close_code(frame(1, bad[:1], fin=False) + frame(0, bad[1:])) == 1007


def test_invalid_utf8_fails_before_the_frame_is_complete():
    data = frame(1, b'abc\xff' + b'x' * 1000)
    reader = FrameReader()
    reader.feed(data[:20])  # the header and the bad byte, not the rest
    with pytest.raises(ProtocolError) as exc:
        reader.next_event()
    assert exc.value.code == 1007


def test_binary_is_not_utf8_checked():
    assert events(frame(2, b'\xff\xfe')) == [(2, b'\xff\xfe')]


def test_message_size_limit():
    assert close_code(frame(2, b'x' * 101), max_size=100) == 1009
    assert events(frame(2, b'x' * 100), max_size=100) == [(2, b'x' * 100)]
    split = frame(2, b'x' * 60, fin=False) + frame(0, b'x' * 60)
    assert close_code(split, max_size=100) == 1009


def test_size_limit_fails_on_the_header_alone():
    reader = FrameReader(1000)
    reader.feed(frame(2, b'x' * 100000)[:14])
    with pytest.raises(ProtocolError) as exc:
        reader.next_event()
    assert exc.value.code == 1009


@pytest.mark.parametrize('payload,expected', [
    (b'', (8, 1005, '')),
    (b'\x03\xe8', (8, 1000, '')),
    (b'\x0b\xb8', (8, 3000, '')),
    (b'\x13\x87bye', (8, 4999, 'bye')),
])
def test_close_frames(payload, expected):
    assert events(frame(8, payload)) == [expected]


@pytest.mark.parametrize('payload,code', [
    (b'\x03', 1002),
    (b'\x03\xe7', 1002),       # 999
    (b'\x03\xed', 1002),       # 1005 must not be sent
    (b'\x03\xee', 1002),       # 1006 must not be sent
    (b'\x07\xd0', 1002),       # 2000
    (b'\x13\x88', 1002),       # 5000
    (b'\x03\xe8\xff', 1007),   # reason is not UTF-8
])
def test_invalid_close_frames(payload, code):
    assert close_code(frame(8, payload)) == code


def test_accept_key_rfc6455_example():
    assert websocket.accept_key('dGhlIHNhbXBsZSBub25jZQ==') == \
        's3pPLMBiTxaQ9kYGzzhZRbK+xOo='


def read_in_place(data, header_len, pieces):
    """Feeds the header (and nothing more), then writes the payload straight
    into payload_view() `pieces` bytes at a time, as the server's socket
    reads do; returns the events and the views' lengths seen."""
    reader = FrameReader()
    reader.feed(data[:header_len])
    assert reader.next_event() is None
    out, lengths = [], []
    pos = header_len
    while pos < len(data):
        view = reader.payload_view()
        lengths.append(len(view))
        n = min(pieces, len(view))
        view[:n] = data[pos:pos + n]
        reader.payload_received(n)
        pos += n
        event = reader.next_event()
        if event is not None:
            out.append(event)
    return out, lengths


@pytest.mark.parametrize('pieces', [1, 5, 4096, 1 << 20])
def test_payload_read_in_place(pieces):
    payload = bytes(range(256)) * 40
    events_, lengths = read_in_place(frame(2, payload), 8, pieces)
    assert events_ == [(2, payload)]
    # each view is the rest of the frame
    assert lengths[0] == len(payload)
    assert all(a - b == min(pieces, a) for a, b in zip(lengths, lengths[1:]))


def test_payload_view_only_when_nothing_is_buffered():
    reader = FrameReader()
    data = frame(2, b'x' * 300)
    reader.feed(data[:4])
    assert reader.next_event() is None
    assert reader.payload_view() is None  # the header is incomplete
    reader.feed(data[4:8])
    assert reader.next_event() is None
    assert len(reader.payload_view()) == 300
    reader.feed(data[8:20])
    assert reader.payload_view() is None  # bytes to parse first
    assert reader.next_event() is None
    assert len(reader.payload_view()) == 288


def test_invalid_utf8_in_place_fails_before_the_frame_is_complete():
    text = ('é' * 3000).encode()
    bad = frame(1, text[:1000] + b'\xff' + text[1001:])
    reader = FrameReader()
    reader.feed(bad[:8])
    reader.next_event()
    view = reader.payload_view()
    view[:1500] = bad[8:1508]
    with pytest.raises(ProtocolError) as exc:
        reader.payload_received(1500)
    assert exc.value.code == 1007


def test_fragments_read_in_place_make_one_message():
    parts = [b'a' * 5000, b'b' * 3000, b'c' * 7000]
    data = frame(2, parts[0], fin=False) + frame(0, parts[1], fin=False) \
        + frame(0, parts[2])
    reader = FrameReader()
    pos, got = 0, []
    while pos < len(data):
        view = reader.payload_view()
        if view is None:
            reader.feed(data[pos:pos + 8])  # one 8-byte header
            pos += 8
        else:
            n = min(len(view), 999)
            view[:n] = data[pos:pos + n]
            reader.payload_received(n)
            pos += n
        event = reader.next_event()
        if event is not None:
            got.append(event)
    assert got == [(2, b''.join(parts))]


def parse_all(data, whole, pieces):
    """Events from FrameReader.parse over one growing bytearray (as the
    server's connection buffer), bytes arriving `pieces` at a time; also
    checks that an unfinished frame leaves its header unused."""
    reader = FrameReader()
    buf = bytearray()
    pos = 0
    out = []
    for i in range(0, len(data), pieces):
        buf += data[i:i + pieces]
        while True:
            event, pos = reader.parse(buf, pos, len(buf), whole)
            if event is None:
                break
            out.append(event)
    assert pos == len(buf)
    return out


@pytest.mark.parametrize('pieces', [1, 7, 1000, 1 << 20])
@pytest.mark.parametrize('whole', [0, 100, 1 << 20])
def test_parse_in_the_callers_buffer(pieces, whole):
    big = bytes(range(256)) * 20
    data = (frame(2, big) + frame(1, 'héllo'.encode()) + frame(2, b'x' * 99)
            + frame(2, b'ab', fin=False) + frame(9, b'ping')
            + frame(0, b'cd') + frame(2, b'') + frame(2, big[:300]))
    assert parse_all(data, whole, pieces) == [
        (2, big), (1, 'héllo'), (2, b'x' * 99), (9, b'ping'), (2, b'abcd'),
        (2, b''), (2, big[:300])]


def test_whole_binary_frame_waits_and_is_unmasked_in_place():
    payload = b'0123456789' * 50
    data = frame(2, payload)
    reader = FrameReader()
    buf = bytearray(data[:300])
    assert reader.parse(buf, 0, len(buf), 1000) == (None, 0)  # header kept
    buf += data[300:] + b'\x89'
    event, pos = reader.parse(buf, 0, len(buf), 1000)
    assert event == (2, payload) and pos == len(data)
    assert buf[pos - len(payload):pos] == payload  # unmasked where it was
    assert reader.parse(buf, pos, len(buf), 1000) == (None, pos)


def test_whole_path_keeps_the_protocol_checks():
    # a binary frame inside a fragmented message is still an error
    data = frame(1, b'a', fin=False) + frame(2, b'b')
    with pytest.raises(ProtocolError) as exc:
        parse_all(data, 1 << 20, 1 << 20)
    assert exc.value.code == 1002
    with pytest.raises(ProtocolError) as exc:  # and the size limit holds
        FrameReader(max_message_size=10).parse(
            bytearray(frame(2, b'x' * 11)), 0, 17, 1 << 20)
    assert exc.value.code == 1009


def test_reused_payload_buffer_does_not_leak_between_frames():
    data = frame(2, b'A' * 5000) + frame(2, b'B' * 10) + frame(1, b'C' * 3) \
        + frame(8, b'\x03\xe8')
    assert events(data, pieces=999) == [
        (2, b'A' * 5000), (2, b'B' * 10), (1, 'CCC'), (8, 1000, '')]
