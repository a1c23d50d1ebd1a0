"""The parts of the core imported on first use (send_file, errors, re/custom
URL components, Set-Cookie, streamed bodies, mount, reason phrases, JSON and
form bodies, AsyncBytesIO) and Request's lazily computed attributes, on
CPython and on MicroPython's unix port."""
import asyncio
import os
import subprocess
import sys

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import Microdot, Request, NoCaseDict, MultiDict
from microdot.microdot import REASONS
from microdot.test_client import TestClient

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
LAZY = ['microdot._files', 'microdot._errors', 'microdot._urlre',
        'microdot._cookies', 'microdot._bodyiter', 'microdot._mount',
        'microdot._reasons', 'microdot._forms', 'microdot._bytesio']

# Run by CPython and by MicroPython: which lazy modules a hello app loads,
# then what each feature loads.
PROBE = r'''
import sys
import asyncio
from microdot import Microdot, Request, Response
from microdot.test_client import TestClient
LAZY = %r


def loaded():
    return sorted(m for m in LAZY if m in sys.modules)


app = Microdot()


@app.route('/')
async def index(req):
    return 'Hello'


@app.route('/f/<re:[a-z]+:word>')
async def word(req, word):
    return word


@app.post('/j')
async def j(req):
    res = Response(str(req.json))
    res.set_cookie('a', 'b')
    return res


async def main():
    client = TestClient(app)
    res = await client.get('/')
    assert res.text == 'Hello', res.text
    print('hello', loaded())
    res = await client.get('/missing')
    assert res.status_code == 404
    print('404', loaded())
    res = await client.get('/f/abc')
    assert res.text == 'abc', res.text
    print('re', loaded())
    res = await client.post('/j', body={'x': 1})
    assert res.text == "{'x': 1}", res.text
    print('json', loaded())
    from microdot import AsyncBytesIO
    stream = AsyncBytesIO(b'ab\ncd')
    line = await stream.readline()
    assert line == b'ab\n', line
    print('bytesio', loaded())
    from microdot import _backend
    print('submodule', _backend.NAME != '')

asyncio.run(main())
''' % (LAZY,)


def expected_probe_output(eager=()):
    """The probe's lines, with the modules in ``eager`` loaded from the
    start."""
    steps = [('hello', []), ('404', ['_errors', '_reasons']),
             ('re', ['_urlre']), ('json', ['_cookies', '_forms']),
             ('bytesio', ['_bytesio'])]
    lines = []
    loaded = set(eager)
    for step, modules in steps:
        loaded.update('microdot.' + m for m in modules)
        lines.append('%s %s' % (step, sorted(loaded)))
    return lines + ['submodule True']


def test_hello_app_loads_no_lazy_module_on_cpython():
    # CPython imports AsyncBytesIO with the package (for the API reference)
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'python'))
    result = subprocess.run([sys.executable, '-c', PROBE], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split('\n')[:-1] == \
        expected_probe_output(['microdot._bytesio'])


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_hello_app_loads_no_lazy_module_on_micropython(backend, tmp_path):
    from test_core_micropython import micropython, mpy_env, NATMOD
    env = mpy_env(backend)
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    script = tmp_path / 'probe.py'
    script.write_text(PROBE)
    result = subprocess.run([micropython(), str(script)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split('\n')[:-1] == expected_probe_output()


def test_reasons_read_like_a_dict():
    assert REASONS[200] == 'OK'
    assert REASONS[404] == 'Not Found'
    assert REASONS.get(418) == "I'm a teapot"
    assert REASONS.get(505) == 'HTTP Version Not Supported'
    assert REASONS.get(299, 'N/A') == 'N/A'
    assert REASONS.get(10) is None and REASONS.get('404') is None
    with pytest.raises(KeyError):
        REASONS[299]


def make(url='/p?a=1&a=2', headers=None, body=None, version='1.1',
         method='GET'):
    if headers is None:
        headers = ['Host', 'x', 'Cookie', 'k=v; k=w; m=n',
                   'Content-Type', 'application/x-www-form-urlencoded']
    return Request(None, None, method, url, version, headers, body)


def test_lazy_attributes_are_computed_once_and_kept():
    req = make(body=b'f=1&f=2')
    args = req.args
    assert isinstance(args, MultiDict) and args.getlist('a') == ['1', '2']
    assert req.args is args
    headers = req.headers
    assert isinstance(headers, NoCaseDict) and headers['HOST'] == 'x'
    assert req.headers is headers
    assert req.cookies == {'k': 'v', 'm': 'n'}  # the first value wins
    assert req.cookies is req.cookies
    assert req.form.getlist('f') == ['1', '2']
    assert req.json is None  # not JSON
    req.g.user = 'me'
    assert req.g.user == 'me'
    with pytest.raises(AttributeError):
        req.no_such_attribute
    assert not hasattr(req, 'no_such_attribute')


def test_lazy_attributes_can_be_set():
    req = make()
    req.args = MultiDict({'z': '1'})
    req.cookies = {'c': 'd'}
    req.json = {'j': 1}
    req.g = 'g'
    assert req.args['z'] == '1' and req.cookies == {'c': 'd'}
    assert req.json == {'j': 1} and req.g == 'g'


def test_defaults_shared_by_the_class():
    req = make('/plain', [])
    assert req.url == req.path == '/plain' and req.query_string is None
    assert req.method == 'GET' and req.http_version == '1.1'
    assert req.url_args == {} and req.headers == {}
    req = make('/q?x=1', [], version='1.0', method='POST')
    assert req.url == '/q?x=1' and req.path == '/q'
    assert req.query_string == 'x=1'
    assert req.method == 'POST' and req.http_version == '1.0'


def test_headers_changed_before_content_type_is_read():
    req = make(headers=['Content-Type', 'text/plain', 'Content-Length', '3'])
    req.headers['Content-Type'] = 'application/json'
    assert req.content_type == 'application/json'
    assert req.content_length == 3


def test_url_args_of_routes_with_and_without_components():
    app = Microdot()
    seen = []

    @app.route('/a')
    async def a(req):
        seen.append(req.url_args)
        return 'a'

    @app.route('/b/<int:n>')
    async def b(req, n):
        seen.append(req.url_args)
        return str(n)

    client = TestClient(app)
    assert asyncio.run(client.get('/a')).text == 'a'
    assert asyncio.run(client.get('/b/7')).text == '7'
    assert seen == [{}, {'n': 7}]


def test_repeated_header_names_take_the_loop():
    req = make(headers=['A', '1', 'a', '2', 'B', '3'])
    assert req.headers['a'] == '1, 2' and req.headers['b'] == '3'
    assert list(req.headers) == ['A', 'B']


def test_url_args_of_a_route_without_components_are_private_to_the_request():
    app = Microdot()

    @app.before_request
    async def mark(req):
        req.url_args['seen'] = req.path

    @app.route('/a')
    async def a(req):
        return repr(sorted(req.url_args.items()))

    client = TestClient(app)
    assert asyncio.run(client.get('/a')).text == "[('seen', '/a')]"
    # a second request must not see what the first one stored
    assert asyncio.run(client.get('/a')).text == "[('seen', '/a')]"
    app2 = Microdot()

    @app2.route('/b')
    async def b(req):
        return repr(req.url_args)

    assert asyncio.run(TestClient(app2).get('/b')).text == '{}'
