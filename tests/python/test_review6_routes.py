"""review6, the guide's "Including Dynamic Components in the URL Path"
pushed as a user porting an app pushes it, one script run on CPython and
on MicroPython's unix port (through the test client, so both interpreters
route the same requests): ints with a sign or leading zeros, a custom
type whose parser returns None ("to indicate a failed match": the next
route is tried), ``path`` that needs something to capture, ``re``
components with classes, alternation and escapes, percent-encoded
captures.

Found: on MicroPython a ``re`` component with a counted repetition
(``[0-9]{4}``, which MicroPython's ``re`` does not support) is accepted
when the route is made and then never matches: the route silently answers
404 on the board while the same app works on CPython. Fixed: microdot._urlre
writes counts out (microdot._re_counts) where the ``re`` lacks them.
"""
import pytest

from test_review5_support import run_script

SCRIPT = '''
import asyncio
from microdot import Microdot, URLPattern
from microdot.test_client import TestClient

app = Microdot()


@app.get('/n/<int:n>')
async def number(request, n):
    return 'int %d' % n


@app.get('/n/<name>')
async def name(request, name):
    return 'name ' + name


def even(value):
    number = int(value)
    return number if number % 2 == 0 else None


URLPattern.register_type('even', pattern='[0-9]+', parser=even)


@app.get('/e/<even:v>')
async def even_route(request, v):
    return 'even %d' % v


@app.get('/e/<v>')
async def other(request, v):
    return 'other ' + v


@app.get('/p/<path:rest>')
async def path_route(request, rest):
    return 'path [' + rest + ']'


@app.get('/alt/<re:(cat|dog)s?:animal>')
async def animal(request, animal):
    return 'animal ' + animal


@app.get('/w/<re:[a-z]+\\\\.[a-z]+:word>')
async def dotted(request, word):
    return 'dotted ' + word


refused = False
try:
    @app.get('/year/<re:[0-9]{4}:year>')
    async def year(request, year):
        return 'year ' + year
except ValueError:
    refused = True


async def main():
    client = TestClient(app)
    for path in ['/n/42', '/n/-5', '/n/007', '/n/4x', '/e/4', '/e/5',
                 '/e/x', '/p/a/b/c', '/p/', '/alt/cats', '/alt/dog',
                 '/alt/cow', '/w/a.b', '/w/axb', '/n/John%20Doe',
                 '/p/%2e%2e/x', '/year/2024', '/year/20']:
        res = await client.get(path)
        print(path, res.status_code, res.text if res.status_code == 200
              else '-')
    print('year route refused' if refused else 'year route made')

asyncio.run(main())
'''

EXPECTED = [
    '/n/42 200 int 42',
    '/n/-5 200 int -5',
    '/n/007 200 int 7',
    '/n/4x 200 name 4x',
    '/e/4 200 even 4',
    '/e/5 200 other 5',
    '/e/x 200 other x',
    '/p/a/b/c 200 path [a/b/c]',
    '/p/ 404 -',
    '/alt/cats 200 animal cats',
    '/alt/dog 200 animal dog',
    '/alt/cow 404 -',
    '/w/a.b 200 dotted a.b',
    '/w/axb 404 -',
    '/n/John%20Doe 200 name John Doe',
    '/p/%2e%2e/x 200 path [../x]',
]


@pytest.mark.parametrize('interpreter', [
    'cpython',
    'micropython',
])
def test_dynamic_components(interpreter, tmp_path):
    lines = run_script(interpreter, SCRIPT, tmp_path)
    assert lines[:len(EXPECTED)] == EXPECTED
    # the year route ([0-9]{4}) works on both interpreters
    assert lines[len(EXPECTED):] == [
        '/year/2024 200 year 2024', '/year/20 404 -', 'year route made']
