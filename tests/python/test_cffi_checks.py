"""The cffi backend's chunked_decode, ws_mask and utf8_check hand the
buffer, its length and start/end to C glue (ports/cffi/md_pack.c), which
checks the range itself: results with offsets and every buffer type must
match the pure backend, and bad ranges must raise ValueError without a
status (a verdict on the bytes would mean C looked at them)."""
import pytest

from cffi_pair import _cffi, _pure, needs_cffi

pytestmark = needs_cffi

BODY = b'xx3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\nNEXT'


def raises_without_status(fn, *args):
    with pytest.raises((ValueError, OverflowError, BufferError)) as e:
        fn(*args)
    assert not (e.value.args and isinstance(e.value.args[0], int)), e.value


@pytest.mark.parametrize('kind', [bytearray,
                                  lambda b: memoryview(bytearray(b))])
def test_chunked_decode_with_offset(kind):
    results = []
    for backend in (_cffi, _pure):
        buf = kind(BODY)
        got = backend.chunked_decode(backend.new_chunked(), buf, 2, len(buf))
        results.append((got, bytes(buf[2:got[0]])))
    assert results[0] == results[1]
    assert results[0][1] == b'abcde' and results[0][0][1:] == (len(BODY) - 4, True)


def test_chunked_decode_split_and_malformed():
    state = _cffi.new_chunked()
    buf = bytearray(BODY)
    assert _cffi.chunked_decode(state, buf, 2, 9) == (5, 9, False)
    with pytest.raises(ValueError) as e:
        _cffi.chunked_decode(_cffi.new_chunked(), bytearray(b'zz\r\n'), 0, 4)
    assert e.value.args[0] == 400


@pytest.mark.parametrize('start, end', [(-1, 3), (4, 3), (0, len(BODY) + 1)])
def test_chunked_decode_bad_range(start, end):
    raises_without_status(_cffi.chunked_decode, _cffi.new_chunked(),
                          bytearray(BODY), start, end)


@pytest.mark.parametrize('mask', [b'\x01\x02\x03\x04',
                                  bytearray(b'\xff\x00\xaa\x55'),
                                  memoryview(b'abcd')])
@pytest.mark.parametrize('offset', [0, 1, 7])
def test_ws_mask_with_offsets(mask, offset):
    data = bytes(range(40))
    results = []
    for backend in (_cffi, _pure):
        buf = bytearray(data)
        backend.ws_mask(buf, 3, 37, mask, offset)
        results.append(bytes(buf))
    assert results[0] == results[1]
    assert results[0][:3] == data[:3] and results[0][37:] == data[37:]
    assert results[0] != data


@pytest.mark.parametrize('args', [
    (bytearray(8), -1, 4, b'abcd'), (bytearray(8), 5, 4, b'abcd'),
    (bytearray(8), 0, 9, b'abcd'), (bytearray(8), 0, 8, b'abc'),
    (bytearray(8), 0, 8, b'abcde'), (b'readonly', 0, 8, b'abcd'),
])
def test_ws_mask_bad_arguments(args):
    raises_without_status(_cffi.ws_mask, *(args + (0,)))


@pytest.mark.parametrize('kind', [bytes, bytearray, memoryview])
def test_utf8_check_with_offsets(kind):
    text = kind('xx caf\u00e9 \u2603 \U0001f600'.encode())
    for start in range(len(text)):
        for end in range(start, len(text) + 1):
            assert _cffi.utf8_check(0, text, start, end) == \
                _pure.utf8_check(0, text, start, end)


@pytest.mark.parametrize('start, end', [(-1, 3), (4, 3), (0, 99)])
def test_utf8_check_bad_range(start, end):
    raises_without_status(_cffi.utf8_check, 0, b'hello', start, end)


FRAMES = [
    b'\x81\x85\x01\x02\x03\x04abcde',             # masked text, 7-bit length
    b'\x02\xfe\x01\x00\xaa\xbb\xcc\xdd',          # masked binary, 16-bit length
    b'\x80\xff' + (300).to_bytes(8, 'big') + b'mask',  # 64-bit length, cont.
    b'\x89\x00',                                   # unmasked ping
    b'\x81\x85\x01\x02',                           # incomplete
    b'\x91\x80\x00\x00\x00\x00',                   # RSV bit: 1002
]


@pytest.mark.parametrize('frame', FRAMES)
@pytest.mark.parametrize('kind', [bytes, bytearray, memoryview])
@pytest.mark.parametrize('masked', [True, False])
def test_ws_parse_header_with_offset(frame, kind, masked):
    buf = kind(b'zz' + frame)
    results = []
    for backend in (_cffi, _pure):
        try:
            results.append(backend.ws_parse_header(buf, 2, len(buf), masked,
                                                   1 << 20))
        except ValueError as e:
            results.append(e.args[0])
    assert results[0] == results[1]


def test_ws_parse_header_fields():
    frame = b'\x81\x85\x01\x02\x03\x04abcde'
    assert _cffi.ws_parse_header(frame, 0, len(frame), True, 100) == \
        (True, 1, b'\x01\x02\x03\x04', 5, 6)
    with pytest.raises(ValueError) as e:
        _cffi.ws_parse_header(frame, 0, len(frame), True, 4)
    assert e.value.args[0] == 1009


@pytest.mark.parametrize('start, end', [(-1, 3), (4, 3), (0, 99)])
def test_ws_parse_header_bad_range(start, end):
    raises_without_status(_cffi.ws_parse_header, b'\x81\x85\x01\x02\x03\x04',
                          start, end, True, 100)
