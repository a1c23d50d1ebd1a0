# The _microdot binding's own behaviours, beyond the shared vectors: the str
# objects parse_request makes without interning (common words and the rest)
# behave as str everywhere, heap exhaustion is a MemoryError (the dynamic
# runtime's allocator returns NULL where firmware raises), and max_headers
# far above what a head can hold allocates nothing absurd.
#   micropython -X heapsize=256k binding_runner.py [--no-words]
# --no-words: a binding built with MD_MP_WORDS=0 (microcontroller .mpy files),
# where every field is a new str.
# Closes with 'N passed, N failed'.
import gc
import sys

import _microdot

passed = 0
failed = 0


def check(name, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL:', name, detail)


def head(*fields):
    lines = b''.join(f + b'\r\n' for f in fields)
    return b'GET /a?b=c HTTP/1.1\r\n' + lines + b'\r\n'


def parse(buf, max_headers=64):
    return _microdot.parse_request(buf, 0, len(buf), 0, 8192, 1 << 20,
                                   max_headers)


# Words (shared objects) and fresh strs: equal, hashed and compared like
# literals, usable as dict keys both ways.
req = parse(head(b'Host: example.org', b'User-Agent: x/1',
                 b'Connection: keep-alive', b'X-Empty:',
                 b'x-custom-name: caf\xc3\xa9'))
method, path, query, minor, fields = req[:5]
names = fields[0::2]
values = fields[1::2]
check('method', method == 'GET' and type(method) is str, repr(method))
check('path and query', (path, query) == ('/a', 'b=c'), repr((path, query)))
expected = ['Host', 'User-Agent', 'Connection', 'X-Empty', 'x-custom-name']
check('names', names == expected, repr(names))
check('values', values == ['example.org', 'x/1', 'keep-alive', '',
                           'caf\u00e9'], repr(values))
for name, literal in zip(names, expected):
    check('hash ' + literal, hash(name) == hash(literal))
    check('type ' + literal, type(name) is str)
d = dict(zip(names, values))
check('dict by literal', d['Host'] == 'example.org'
      and d['x-custom-name'] == 'caf\u00e9')
d2 = {'Host': 1, 'User-Agent': 2, 'x-custom-name': 3}
check('literal dict by field',
      [d2.get(n) for n in names] == [1, 2, None, None, 3])
check('str methods', names[1].lower() == 'user-agent'
      and values[1].upper() == 'X/1' and len(values[4]) == 4
      and names[0] + ':' == 'Host:')
check('slicing', values[0][:7] == 'example' and values[4][3] == '\u00e9')
check('bytes of a field', values[4].encode() == b'caf\xc3\xa9')

# The same word twice is one object; other text is a new str every time.
again = parse(head(b'Host: example.org'))[4]
if '--no-words' in sys.argv:
    check('no word shared', again[0] is not names[0] and again[0] == names[0])
else:
    check('word shared', again[0] is names[0])
check('value fresh', again[1] is not values[0] and again[1] == values[0])

# Shared words outlive collections with nothing but the module keeping them:
# words not used above, looked at by id() only, then the heap is churned with
# objects of a word's size. A word freed in between would come back as
# whatever reused its memory.
FRESH = [b'DELETE', b'Accept-Language', b'Sec-Fetch-Mode', b'navigate',
         b'Sec-Fetch-Site', b'same-origin', b'If-None-Match', b'no-cache']


def fresh_words():
    buf = (FRESH[0] + b' / HTTP/1.1\r\n'
           + b''.join(FRESH[i] + b': ' + FRESH[i + 1] + b'\r\n'
                      for i in range(1, len(FRESH) - 1, 2))
           + FRESH[-1] + b': x\r\nHost: h\r\n\r\n')
    r = parse(buf)
    fields = [r[0]] + r[4][:len(FRESH) - 1]
    ok = [type(f) is str for f in fields] == [True] * len(FRESH) \
        and [f.encode() for f in fields] == FRESH
    return ok, [id(f) for f in fields]


ok, first_ids = fresh_words()
check('fresh words', ok)
survived = True
for round in range(20):
    gc.collect()
    junk = [bytes([round, i % 256]) * 4 for i in range(400)]
    junk += [[i] * 3 for i in range(200)]
    ok, ids = fresh_words()
    survived = survived and ok and ids == first_ids or (
        '--no-words' in sys.argv and ok)
    junk = None
check('words survive gc.collect()', survived)
# Many words made in one request (the binding grows its store as it goes):
# all shared by the next request, after a collection.
MANY = ['PATCH', 'Cache-Control', 'max-age=0', 'Pragma', 'Priority', 'u=0, i',
        'Origin', 'Referer', 'DNT', '1', 'Upgrade', 'websocket',
        'Sec-WebSocket-Key', 'Sec-WebSocket-Version', '13', 'Expect',
        '100-continue', 'Transfer-Encoding', 'chunked', 'X-Requested-With',
        'X-Forwarded-For', 'Sec-Fetch-User', '?1', 'Sec-Fetch-Dest', 'document']


def many_words():
    lines = [b'PATCH / HTTP/1.1', b'Host: h'] + [b'X: ' + w.encode() for w in MANY[1:]]
    r = parse(b'\r\n'.join(lines) + b'\r\n\r\n')
    return [r[0]] + r[4][3::2]


first = many_words()
gc.collect()
again = many_words()
check('many words', first == MANY and again == MANY, repr(again))
if '--no-words' not in sys.argv:
    check('many words shared', all(a is b for a, b in zip(first, again)))
first = again = None

# A .mpy keeps its lookup table and the words it made as the module
# attribute _words (firmware's are ROM): opaque to Python code.
made = getattr(_microdot, '_words', None)
if made is not None:
    try:
        made[0]
        check('_words opaque', False, repr(made[0]))
    except TypeError:
        check('_words opaque', True)
made = None

# Header names and values from other calls: decoders share the str maker.
check('parse_query', _microdot.parse_query('a=%C3%A9&b=+x')
      == ['a', '\u00e9', 'b', ' x'])
check('parse_cookies', _microdot.parse_cookies(b'session=1; theme=dark')
      == ['session', '1', 'theme', 'dark'])

# max_headers far above what the head can hold: no absurd allocation.
many = head(b'Host: a', *[b'X-H%d: v' % i for i in range(40)])
check('huge max_headers', len(parse(many, 10 ** 12)[4]) == 82)
try:
    parse(many, 40)
    check('max_headers exceeded', False, 'no error')
except ValueError as e:
    check('max_headers exceeded', e.args[0] == 431, repr(e.args))

# ws_take_message (x64 .mpy and firmware): a whole, final data frame or a
# control frame becomes (opcode, payload, stop) in one call, unmasked and,
# for text, checked; anything else is None, for the Python frame reader.
MASK = b'\x37\xfa\x21\x3d'


def ws_frame(opcode, payload, fin=True, masked=True):
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    bit = 0x80 if masked else 0
    if n < 126:
        out = bytes([first, bit | n])
    else:
        out = bytes([first, bit | 126, n >> 8, n & 255])
    if not masked:
        return out + payload
    return out + MASK + bytes(payload[i] ^ MASK[i % 4] for i in range(n))


def ws_error(*args):
    try:
        _microdot.ws_take_message(*args)
    except ValueError as e:
        return e.args[0]
    return None


take = getattr(_microdot, 'ws_take_message', None)
if take is not None:
    data = bytes(i * 7 & 255 for i in range(1000))
    raw = b'xy' + ws_frame(2, data)
    kept = bytes(raw)
    op, payload, stop = take(raw, 2, len(raw), 65536, True)
    check('ws binary', op == 2 and payload == data and stop == len(raw))
    check('ws binary type and hash', type(payload) is bytes
          and hash(payload) == hash(bytes(data)) and {data: 1}[payload] == 1)
    check('ws buffer untouched', raw == kept)
    text = ws_frame(1, 'h\u00e9llo'.encode())
    check('ws text', take(text, 0, len(text), 65536, True)
          == (1, 'h\u00e9llo', len(text)))
    ping = ws_frame(9, b'pi')
    check('ws control while a message is under way',
          take(ping, 0, len(ping), 65536, False) == (9, b'pi', len(ping)))
    check('ws data frame while a message is under way',
          take(text, 0, len(text), 65536, False) is None)
    check('ws incomplete', take(raw, 2, len(raw) - 1, 65536, True) is None)
    part = ws_frame(1, b'abc', fin=False)
    check('ws not final', take(part, 0, len(part), 65536, True) is None)
    more = ws_frame(0, b'abc')
    check('ws continuation', take(more, 0, len(more), 65536, True) is None)
    check('ws over max_payload', ws_error(raw, 2, len(raw), 999, True) == 1009)
    bare = ws_frame(2, b'abc', masked=False)
    check('ws unmasked', ws_error(bare, 0, len(bare), 65536, True) == 1002)
    bad = ws_frame(1, b'\xc3\x28')
    check('ws invalid UTF-8', ws_error(bad, 0, len(bad), 65536, True) == 1007)

# Exhausting the heap raises MemoryError (and the interpreter goes on).
big = head(b'Host: a',
           *[b'X-H%d: %s' % (i, b'v' * 200) for i in range(40)])
keep = []
try:
    for _ in range(100000):
        keep.append(parse(big))
    check('MemoryError', False, 'heap never ran out')
except MemoryError:
    check('MemoryError', True)
keep = None
gc.collect()
check('after MemoryError', parse(big)[4][0] == 'Host')

print('{} passed, {} failed'.format(passed, failed))
sys.exit(1 if failed else 0)
