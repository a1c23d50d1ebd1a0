"""The cffi backend's name slots are only for heads of at least
MD_PACK_SLOT_MIN_FIELDS fields (ports/cffi/md_pack.h): a smaller head (a
wrk or curl request has one to three) gets its names made from the packed
text, and never takes a slot from a larger head's kept names."""
from cffi_pair import _cffi, _pure, needs_cffi

pytestmark = needs_cffi


def head_of(names, value='v'):
    return b'GET /p HTTP/1.1\r\n' + b''.join(
        n.encode() + b': ' + value.encode() + b'\r\n' for n in names) + b'\r\n'


def parse(backend, head):
    return backend.parse_request(head, 0, len(head), 0, 2048, 16384, 64)


def names_of(result):
    return result[4][::2]


def same_objects(a, b):
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


BIG = ['Host', 'User-Agent', 'Accept', 'Accept-Language', 'Connection']


def test_the_threshold_is_as_documented():
    assert _cffi.lib.MD_PACK_SLOT_MIN_FIELDS == 4


def test_small_heads_make_their_names_and_agree_with_pure():
    for count in range(1, 4):
        names = ['Host', 'Connection', 'X-Small-Field'][:count]
        head = head_of(names)
        first = parse(_cffi, head)
        second = parse(_cffi, head)
        assert first == second == parse(_pure, head)
        assert names_of(second) == names
        # made from the text each time: no kept list shared them
        assert not any(a is b for a, b in zip(names_of(first),
                                              names_of(second)))


def test_large_heads_share_their_kept_names():
    for count in (4, 5):
        head = head_of(BIG[:count])
        first = parse(_cffi, head)
        second = parse(_cffi, head)
        assert second == parse(_pure, head)
        assert same_objects(names_of(first), names_of(second))
        assert first[4] is not second[4]


def test_small_heads_do_not_push_out_kept_names():
    big = head_of(BIG, 'x')
    kept = names_of(parse(_cffi, big))
    # more different small name lists than there are slots
    for i in range(3 * _cffi.lib.MD_PACK_SLOTS):
        small = head_of(['Host', 'X-Small-%d' % i])
        assert parse(_cffi, small) == parse(_pure, small)
    assert same_objects(names_of(parse(_cffi, big)), kept)


def test_a_kept_list_is_not_changed_by_its_requests():
    # (test_cffi_name_slots' version has two fields: no slot any more)
    head = head_of(BIG[:4], 'h')
    first = parse(_cffi, head)[4]
    first[0] = 'changed'
    first.append('more')
    second = parse(_cffi, head)[4]
    assert second == parse(_pure, head)[4]
    assert second[0] == 'Host' and len(second) == 8
