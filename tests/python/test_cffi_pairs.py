"""The cffi backend's parse_query and parse_cookies: one C call
(ports/cffi/md_pack.c, md_pack_pairs) splits and decodes every pair into one
text. Each case must give what the pure backend gives, errors included."""
import pytest

from cffi_pair import _cffi, _pure, needs_cffi

pytestmark = needs_cffi


def outcome(f, s):
    try:
        return ('ok', f(s))
    except ValueError as exc:
        return ('error', exc.args[0])


def same(name, s):
    want = outcome(getattr(_pure, name), s)
    got = outcome(getattr(_cffi, name), s)
    assert got == want, (name, s)
    return got


QUERIES = [
    '', '&', '&&', 'a', 'a=', '=', '=v', 'a=1', 'a=1&b=2', 'a=1&&b=2&',
    'a=b=c', 'q=hello+world', '%41%42=%43', 'a=%', 'a=%4', 'a=%zz',
    'a=%0a', 'a%0Ab=1', 'a=%00b', 'x=%e2%82%ac', 'é=ü&ü', 'a=%ff',
    'a=%c3', b'a=\xff', b'a=\xc3\xa9', b'k=v&\xff', 'a+b=c+d',
]


@pytest.mark.parametrize('query', QUERIES)
def test_queries_as_the_pure_backend(query):
    same('parse_query', query)
    if isinstance(query, str):
        same('parse_query', query.encode())
        same('parse_query', bytearray(query.encode()))


def test_query_results():
    assert _cffi.parse_query('q=hello+world&n=%41') == ['q', 'hello world',
                                                        'n', 'A']
    assert _cffi.parse_query('a&b=&=c') == ['a', '', 'b', '', '', 'c']
    assert _cffi.parse_query('a=%0a&b=%00') == ['a', '\n', 'b', '\0']
    assert _cffi.parse_query('') == [] and _cffi.parse_query('&&') == []


COOKIES = [
    '', ';', 'a', 'a=1', 'a=1; b=2', 'a=1;b=2', ' a = 1 ; b = 2 ',
    'a=1\t;\tb=2', 'a="x y"; b=2', 'a=; b', '=; =v', 'a=b=c', 'a=1; a=2',
    'a=\n; b=1', 'é=ü', b'a=\xff', b'\xff; a=1', b'a=1; \xc3\xa9=\xc3\xa9',
    b'a=\xed\xa0\x80',
]


@pytest.mark.parametrize('header', COOKIES)
def test_cookies_as_the_pure_backend(header):
    same('parse_cookies', header)


def test_cookie_results():
    assert _cffi.parse_cookies(' a = 1 ;b=2; c="x y"; d') == [
        'a', '1', 'b', '2', 'c', '"x y"']
    with pytest.raises(ValueError) as info:
        _cffi.parse_cookies(b'a=\xff')
    assert info.value.args[0] == 400


def test_strings_that_do_not_encode_take_the_python_path():
    for s in ('a=\udc80', 'a=1; b=\ud800'):
        same('parse_query', s)
        same('parse_cookies', s)


def test_long_inputs_get_their_own_scratch():
    query = '&'.join('k%d=v%%41%d' % (i, i) for i in range(3000))
    flat = same('parse_query', query)[1]
    assert len(flat) == 6000 and flat[-1] == 'vA2999'
    header = '; '.join('c%d=%d' % (i, i) for i in range(3000))
    assert len(same('parse_cookies', header)[1]) == 6000
    assert _cffi.parse_query('a=1&b') == ['a', '1', 'b', '']  # (and after)
    worst = '&' * 5000 + 'a' * 3 + '&b' * 4000
    same('parse_query', worst)


@pytest.mark.parametrize('length', [4095, 4096, 4097])
def test_inputs_around_the_kept_scratch_size(length):
    query = ('a=%41&' * length)[:length]
    cookies = ('a=1; ' * length)[:length]
    same('parse_query', query)
    same('parse_cookies', cookies)
    same('parse_query', '&' * (length - 1) + 'x')
