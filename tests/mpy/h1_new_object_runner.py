"""_microdot.new_object (cmodule/modmicrodot.c) on MicroPython: the object
it makes behaves as one made by object.__new__ with the same attributes
stored one by one (reads, class attributes, methods, later stores, deletes,
subclasses, __dict__), and bad arguments raise TypeError. Closes with
'N passed, N failed'.

    micropython h1_new_object_runner.py   (with _microdot on MICROPYPATH)"""
import _microdot

passed = failed = 0


def check(what, got, expected):
    global passed, failed
    if got == expected:
        passed += 1
    else:
        failed += 1
        print('FAIL: %s: %r != %r' % (what, got, expected))


class Plain:
    shared = 'class'

    def total(self):
        return self.a + self.b


class Sub(Plain):
    pass


def by_stores(cls, pairs):
    obj = object.__new__(cls)
    for name, value in pairs:
        setattr(obj, name, value)
    return obj


def history(obj):
    out = [sorted(obj.__dict__.items()), obj.total(), obj.shared,
           isinstance(obj, Plain), type(obj).__name__]
    obj.c = 3
    obj.d = [4]
    obj.e = 5  # past the room left at creation
    obj.a = 10
    del obj.b
    out += [sorted(obj.__dict__.items()), hasattr(obj, 'b'),
            getattr(obj, 'e'), obj.shared]
    obj.b = -1
    out.append(obj.total())
    try:
        del obj.missing
        out.append('deleted')
    except AttributeError:
        out.append('AttributeError')
    return out


for cls in (Plain, Sub):
    for pairs in ((('a', 1), ('b', 2)), (('b', 2), ('a', 1), ('shared', 's'))):
        flat = []
        for name, value in pairs:
            flat += [name, value]
        made = _microdot.new_object(cls, *flat)
        check('%s %r' % (cls.__name__, pairs), history(made),
              history(by_stores(cls, pairs)))

check('no attributes', _microdot.new_object(Plain).__dict__, {})
check('a repeated name: the last value',
      sorted(_microdot.new_object(Plain, 'a', 1, 'b', 2, 'a', 3)
             .__dict__.items()), [('a', 3), ('b', 2)])
# a name made at run time (a str object, maybe not interned)
name = ''.join(['made_', 'at_run_time'])
made = _microdot.new_object(Plain, name, 'v', 'a', 1)
check('a name made at run time', (made.made_at_run_time, getattr(made, name),
                                  made.a), ('v', 'v', 1))
made.made_at_run_time = 'w'
check('... then stored again', sorted(made.__dict__.items()),
      [('a', 1), ('made_at_run_time', 'w')])
many = []
for i in range(12):  # more than fit without growing, with collisions
    many += ['n%d' % i, i]
made = _microdot.new_object(Plain, *many)
made.extra = 'x'
check('many names', [getattr(made, 'n%d' % i) for i in range(12)] +
      [made.extra, len(made.__dict__)], list(range(12)) + ['x', 13])
for args in ((Plain, 'a'), (1, 'a', 1), (Plain, 1, 1), (int, 'a', 1),
             (Plain, b'a', 1)):
    try:
        _microdot.new_object(*args)
        check('TypeError for %r' % (args,), 'no error', 'TypeError')
    except TypeError:
        check('TypeError for %r' % (args,), 'TypeError', 'TypeError')

print('%d passed, %d failed' % (passed, failed))
