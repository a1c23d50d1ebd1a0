"""A dict or list body is encoded as json.dumps() with its default options
would, errors included, with the JSON content type unless one was given."""
import json
import random

import pytest

from microdot import Response
from microdot._cpython import json_dumps


def random_value(rng, depth=0):
    kinds = ['int', 'float', 'str', 'none', 'bool']
    if depth < 3:
        kinds += ['list', 'dict']
    kind = rng.choice(kinds)
    if kind == 'int':
        return rng.randint(-10 ** 20, 10 ** 20)
    if kind == 'float':
        return rng.choice([rng.uniform(-1e6, 1e6), 1e300, -0.0, float('inf'),
                           float('nan')])
    if kind == 'str':
        return ''.join(rng.choice('aé"\\\n\x00\u2028😀 /') for _ in range(rng.randint(0, 8)))
    if kind == 'none':
        return None
    if kind == 'bool':
        return rng.random() < 0.5
    if kind == 'list':
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(['k', 'é', 1, 2.5, None, True]): random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def test_same_text_as_json_dumps():
    rng = random.Random(7)
    for _ in range(500):
        value = random_value(rng)
        assert json_dumps(value) == json.dumps(value), value


@pytest.mark.parametrize('bad', [{'a': object()}, [{1, 2}], {(1, 2): 3}])
def test_same_errors_as_json_dumps(bad):
    with pytest.raises(TypeError) as ours:
        json_dumps(bad)
    with pytest.raises(TypeError) as theirs:
        json.dumps(bad)
    assert str(ours.value) == str(theirs.value)


def test_circular_reference_is_refused_every_time():
    loop = []
    loop.append(loop)
    for _ in range(2):
        with pytest.raises(ValueError):
            json_dumps(loop)
    # the same object twice is not a cycle
    shared = [1]
    assert json_dumps([shared, shared]) == '[[1], [1]]'


def test_json_response_headers():
    res = Response({'a': [1, 'é']})
    assert res.body == json.dumps({'a': [1, 'é']}).encode()
    assert res.headers['content-type'] == 'application/json; charset=UTF-8'
    res = Response([1], headers={'content-type': 'application/vnd.api+json'})
    assert dict(res.headers) == {'content-type': 'application/vnd.api+json'}
    res = Response([1], headers={'X-A': '1'})
    assert res.headers['Content-Type'] == 'application/json; charset=UTF-8'
    assert res.headers['x-a'] == '1'
