"""microdot._cbuild.new_object(cls), what the built-in server's first-bytes
path (microdot._aioserver._serve_now) makes its Request with: the same as
object.__new__(cls), results and errors."""
import sys

import pytest

from microdot import _aioserver
from microdot.microdot import Request

try:
    from microdot._cbuild import new_object
except ImportError:
    new_object = None

pytestmark = pytest.mark.skipif(
    new_object is None, reason='microdot._cbuild (CPython 3.10+) not built')


class Plain:
    pass


class WithSlots:
    __slots__ = ('a',)


class OwnNew:
    made = 0

    def __new__(cls, *args):
        cls.made += 1
        return object.__new__(cls)


class Tagged(dict):
    pass


def test_the_server_uses_it():
    assert _aioserver._new_object is new_object


@pytest.mark.parametrize('cls', [Plain, WithSlots, OwnNew, Request])
def test_makes_what_object_new_makes(cls):
    made = new_object(cls)
    ref = object.__new__(cls)
    assert type(made) is cls is type(ref)
    assert made is not new_object(cls)
    if cls is WithSlots:
        made.a = 1
        assert made.a == 1
        with pytest.raises(AttributeError):
            made.b = 2
    else:
        assert made.__dict__ == ref.__dict__ == {}
        made.x = 'x'
        assert made.x == 'x'


def test_a_class_with_its_own_new_is_not_called():
    before = OwnNew.made
    assert type(new_object(OwnNew)) is OwnNew
    assert OwnNew.made == before  # (object.__new__, not OwnNew.__new__)


@pytest.mark.parametrize('arg', [Tagged, int, 3, 'Plain', None])
def test_errors_are_object_news(arg):
    with pytest.raises(TypeError) as ref:
        object.__new__(arg)
    with pytest.raises(TypeError) as got:
        new_object(arg)
    if isinstance(arg, type):  # (the same message)
        assert str(got.value) == str(ref.value)


def test_no_reference_leak():
    before = sys.getrefcount(Plain)
    for _ in range(1000):
        new_object(Plain)
    assert sys.getrefcount(Plain) - before < 10
