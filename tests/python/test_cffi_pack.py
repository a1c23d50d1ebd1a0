"""The cffi backend's parse_request packs a head into one text in C
(ports/cffi/md_pack.c) and its numbers into the return value: these tests
check the unpacking against the pure backend where the packing has its own
cases (scratch arrays growing, buffer types and offsets, empty strings,
non-ASCII text, Content-Length), and that bad arguments still raise."""
import pytest

from cffi_pair import _cffi, _pure, needs_cffi

pytestmark = needs_cffi

LIMITS = (2048, 16384, 64)


def both(buf, start=0, end=None, scanned=None, limits=LIMITS):
    end = len(buf) if end is None else end
    scanned = start if scanned is None else scanned
    results = []
    for backend in (_cffi, _pure):
        try:
            results.append(backend.parse_request(buf, start, end, scanned,
                                                 *limits))
        except ValueError as e:
            results.append(('error', e.args[0]))
    assert results[0] == results[1]
    return results[0]


def head(*lines):
    return ('\r\n'.join(lines) + '\r\n\r\n').encode()


def test_fields_of_a_plain_get():
    buf = head('GET /a/b?x=1&y= HTTP/1.1', 'Host: h', 'Accept:  */* ')
    assert both(buf + b'GET') == ('GET', '/a/b', 'x=1&y=', 1,
                                  ['Host', 'h', 'Accept', '*/*'], len(buf), -1,
                                  _cffi.F_KEEP_ALIVE)


@pytest.mark.parametrize('target, path, query', [
    ('/', '/', None),
    ('/a?', '/a', ''),
    ('/?q', '/', 'q'),
    ('http://example.org', '/', None),
    ('http://example.org?x', '/', 'x'),
    ('http://example.org/p?', '/p', ''),
])
def test_path_and_query_forms(target, path, query):
    got = both(head('GET %s HTTP/1.0' % target))
    assert got[1:5] == (path, query, 0, [])


def test_empty_header_values_keep_their_place():
    got = both(head('GET / HTTP/1.1', 'Host: h', 'X-Empty:', 'X-Last:   '))
    assert got[4] == ['Host', 'h', 'X-Empty', '', 'X-Last', '']


def test_non_ascii_values_decode_and_bad_utf8_is_rejected():
    good = head('GET / HTTP/1.1', 'Host: h', 'X-Name: caf\u00e9 \u2603',
                'X-Emoji: \U0001f600')
    assert both(good)[4] == ['Host', 'h', 'X-Name', 'caf\u00e9 \u2603',
                             'X-Emoji', '\U0001f600']
    bad = good.replace('\u2603'.encode(), b'\xe2\x98')
    assert both(bad) == ('error', 400)


def test_content_length_and_flags():
    got = both(head('POST /u HTTP/1.1', 'Host: h',
                    'Content-Length: 4611686018427387904',
                    'Expect: 100-continue', 'Connection: close'))
    assert got[6] == 1 << 62
    assert got[7] == _cffi.F_EXPECT_CONTINUE
    got = both(head('POST /u HTTP/1.1', 'Host: h', 'Content-Length: 0'))
    assert got[6] == 0
    got = both(head('POST /u HTTP/1.1', 'Host: h',
                    'Transfer-Encoding: chunked'))
    assert got[6] == -1 and got[7] == _cffi.F_CHUNKED | _cffi.F_KEEP_ALIVE


@pytest.mark.parametrize('kind', [bytes, bytearray, memoryview])
def test_buffer_types_and_offsets(kind):
    first = head('GET /one HTTP/1.1', 'Host: a')
    second = head('GET /two?2 HTTP/1.1', 'Host: b', 'X: y')
    buf = kind(b'junk' + first + second + b'GET /thr')
    start = 4
    got = both(buf, start)
    assert got[1] == '/one' and got[5] == len(first)
    start += got[5]
    got = both(buf, start)
    assert got[1:3] == ('/two', '2') and got[5] == len(second)
    start += got[5]
    assert both(buf, start) is None
    assert both(buf, start, scanned=start + 3) is None


def test_many_headers_grow_the_header_scratch():
    lines = ['GET / HTTP/1.1', 'Host: h']
    lines += ['X-%d: %d' % (i, i) for i in range(600)]
    got = both(head(*lines), limits=(2048, 65536, 1000))
    assert len(got[4]) == 2 * 601 and got[4][-2:] == ['X-599', '599']
    # and the limit still counts once the scratch is large
    assert both(head(*lines), limits=(2048, 65536, 100)) == ('error', 431)


def test_a_long_head_grows_the_text_scratch():
    value = '\u00e9' * 30000  # 60000 bytes
    got = both(head('GET / HTTP/1.1', 'Host: h', 'X-Long: ' + value),
               limits=(2048, 1 << 20, 64))
    assert got[4] == ['Host', 'h', 'X-Long', value]
    # a small head after the large one still parses with the grown scratch
    assert both(head('GET /s HTTP/1.1', 'Host: h'))[1] == '/s'


@pytest.mark.parametrize('start, end', [(-1, 5), (6, 5), (0, 1000)])
def test_bad_ranges_raise_without_a_status(start, end):
    buf = head('GET / HTTP/1.1', 'Host: h')
    with pytest.raises((ValueError, OverflowError)) as info:
        _cffi.parse_request(buf, start, end, 0, *LIMITS)
    assert not (info.value.args and isinstance(info.value.args[0], int))


def test_rejections_carry_status_and_message():
    with pytest.raises(ValueError) as info:
        _cffi.parse_request(b'GET / HTTP/2.0\r\n\r\n', 0, 18, 0, *LIMITS)
    assert info.value.args[0] == 505 and isinstance(info.value.args[1], str)
