"""Request attributes and limits; response forms, JSON, redirects, files,
streaming, cookies and header sanitising, through TestClient."""
import asyncio
import datetime
import os
import sys

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import Microdot, Request, Response, MultiDict, NoCaseDict, \
    redirect, send_file
from microdot.test_client import TestClient


def call(app, method, path, **kwargs):
    return asyncio.run(TestClient(app).request(method, path, **kwargs))


def echo_app():
    app = Microdot()

    @app.route('/echo', methods=['GET', 'POST', 'PUT'])
    async def echo(req):
        return {
            'method': req.method, 'url': req.url, 'path': req.path,
            'query_string': req.query_string,
            'args': {k: req.args.getlist(k) for k in req.args},
            'content_type': req.content_type,
            'content_length': req.content_length,
            'json': req.json,
            'form': {k: req.form.getlist(k) for k in req.form}
            if req.form is not None else None,
            'body': req.body.decode(),
            'cookies': req.cookies,
            'http_version': req.http_version,
            'scheme': req.scheme,
            'client_addr': list(req.client_addr),
            'app': req.app is app,
            'x_custom': req.headers.get('x-CUSTOM'),
        }

    return app


def test_request_attributes():
    res = call(echo_app(), 'GET', '/echo?a=1&b=x%20y&a=2&c',
               headers={'X-Custom': 'v', 'Cookie': 'k1=v1; k2=v2'})
    data = res.json
    assert data['method'] == 'GET'
    assert data['url'] == '/echo?a=1&b=x%20y&a=2&c'
    assert data['path'] == '/echo'
    assert data['query_string'] == 'a=1&b=x%20y&a=2&c'
    assert data['args'] == {'a': ['1', '2'], 'b': ['x y'], 'c': ['']}
    assert data['cookies'] == {'k1': 'v1', 'k2': 'v2'}
    assert data['x_custom'] == 'v'
    assert data['http_version'] == '1.1'
    assert data['scheme'] == 'http'
    assert data['content_type'] is None and data['content_length'] == 0
    assert data['json'] is None and data['form'] is None
    assert data['app'] is True


def test_json_body():
    res = call(echo_app(), 'POST', '/echo', json={'a': [1, 2]})
    data = res.json
    assert data['json'] == {'a': [1, 2]}
    assert data['content_type'] == 'application/json'
    assert data['content_length'] == len('{"a": [1, 2]}')


def test_invalid_json_is_400():
    res = call(echo_app(), 'POST', '/echo', body=b'{not json',
               headers={'Content-Type': 'application/json'})
    assert res.status_code == 400


def test_form_body():
    res = call(echo_app(), 'POST', '/echo', body='name=Joe+Doe&x=%C3%A9&x=2',
               headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert res.json['form'] == {'name': ['Joe Doe'], 'x': ['\u00e9', '2']}


def test_raw_body_and_stream():
    app = Microdot()

    @app.post('/')
    async def index(req):
        first = await req.stream.read(3)
        rest = await req.stream.read()
        return {'body': req.body.decode(), 'first': first.decode(),
                'rest': rest.decode()}

    res = call(app, 'POST', '/', body=b'abcdef')
    assert res.json == {'body': 'abcdef', 'first': 'abc', 'rest': 'def'}


def test_body_over_max_body_length_only_through_stream(monkeypatch):
    monkeypatch.setattr(Request, 'max_body_length', 8)
    app = Microdot()

    @app.post('/')
    async def index(req):
        data = b''
        while True:
            chunk = await req.stream.read(5)
            if not chunk:
                break
            data += chunk
        return {'body': req.body.decode(), 'streamed': data.decode()}

    res = call(app, 'POST', '/', body=b'0123456789abcdef')
    assert res.json == {'body': '', 'streamed': '0123456789abcdef'}


def test_body_over_max_content_length_is_413(monkeypatch):
    monkeypatch.setattr(Request, 'max_content_length', 10)
    app = Microdot()
    called = []

    @app.post('/')
    async def index(req):
        called.append(1)
        return 'ok'

    @app.errorhandler(413)
    async def too_large(req):
        return 'too large!', 413

    assert call(app, 'POST', '/', body=b'x' * 10).text == 'ok'
    res = call(app, 'POST', '/', body=b'x' * 11)
    assert res.status_code == 413 and res.text == 'too large!'
    assert called == [1]


def test_chunked_request_body():
    app = Microdot()

    @app.post('/')
    async def index(req):
        return req.body

    res = call(app, 'POST', '/', headers={'Transfer-Encoding': 'chunked'},
               body=b'5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n')
    assert res.status_code == 200 and res.text == 'hello, world'


def test_multidict_and_nocasedict():
    d = MultiDict()
    d['a'] = '1'
    d.add('a', '2')
    d.add('b', '3')
    assert d['a'] == '1' and d.get('a') == '1'
    assert d.getlist('a') == ['1', '2'] and d.getlist('zz') == []
    assert d.get('b', type=int) == 3 and d.get('x', 'dflt') == 'dflt'
    assert d.getlist('a', type=int) == [1, 2]
    assert 'a' in d and len(d) == 2 and sorted(d) == ['a', 'b']
    d['a'] = '9'
    assert d.getlist('a') == ['9']
    h = NoCaseDict({'Content-Type': 'x'})
    h['CONTENT-type'] = 'y'
    assert list(h.keys()) == ['Content-Type'] and h['content-type'] == 'y'
    assert 'content-TYPE' in h and h.get('nope') is None
    del h['content-type']
    assert len(h) == 0 and 'Content-Type' not in h


def test_nocasedict_every_path_keeps_one_key_per_name():
    # lookups in the inserted case skip the lower-case index; the index is
    # made only when needed, so mix the two in every order
    h = NoCaseDict()
    h['X-A'] = '1'
    h['x-a'] = '2'  # a case variant replaces, keeping the first case
    assert list(h.items()) == [('X-A', '2')]
    h['X-B'] = '3'
    assert h.pop('x-b') == '3' and 'X-B' not in h and len(h) == 1
    assert h.pop('x-b', 'gone') == 'gone'
    h.update({'x-A': '4', 'X-C': '5'})
    assert sorted(h.items()) == [('X-A', '4'), ('X-C', '5')]
    assert h.setdefault('x-c', '9') == '5' and h.setdefault('X-D', '6') == '6'
    del h['X-A']
    h['x-a'] = '7'
    assert sorted(h.keys()) == ['X-C', 'X-D', 'x-a']
    copy = h.copy()
    h.clear()
    assert len(h) == 0 and h.get('x-c') is None
    h['Y'] = '1'
    assert h['y'] == '1' and copy['X-c'] == '5' and copy['X-A'] == '7'
    with pytest.raises(KeyError):
        h['nope']


def test_request_headers_join_repeats_and_cookies_use_semicolons():
    req = Request(None, None, 'GET', '/', '1.1', [
        'Accept', 'a', 'Cookie', 'x=1', 'accept', 'b', 'cookie', 'y=2',
        'Content-Type', 'text/plain', 'Content-Length', '3'])
    assert req.cookies == {'x': '1', 'y': '2'}
    assert req.content_type == 'text/plain' and req.content_length == 3
    assert req.headers['ACCEPT'] == 'a, b'
    assert list(req.headers.keys()) == ['Accept', 'Cookie', 'Content-Type',
                                        'Content-Length']
    req2 = Request(None, None, 'GET', '/', '1.1', {'content-type': 'x/y'})
    assert req2.content_type == 'x/y' and req2.content_length == 0


@pytest.mark.parametrize('ret,status,body,ctype', [
    ('text', 200, b'text', 'text/plain; charset=UTF-8'),
    (b'bytes', 200, b'bytes', 'text/plain; charset=UTF-8'),
    (('text', 202), 202, b'text', 'text/plain; charset=UTF-8'),
    (('<b>x</b>', {'Content-Type': 'text/html'}), 200, b'<b>x</b>',
     'text/html'),
    (('<b>x</b>', 201, {'Content-Type': 'text/html'}), 201, b'<b>x</b>',
     'text/html'),
    (204, 204, b'', None),
    ({'a': 1}, 200, b'{"a": 1}', 'application/json; charset=UTF-8'),
    ([1, 2], 200, b'[1, 2]', 'application/json; charset=UTF-8'),
    ((['x'], 201), 201, b'["x"]', 'application/json; charset=UTF-8'),
    (None, 204, b'', None),
])
def test_return_value_forms(ret, status, body, ctype):
    app = Microdot()

    @app.get('/')
    async def index(req):
        return ret

    res = call(app, 'GET', '/')
    assert res.status_code == status
    assert res.body == body
    if ctype:
        assert res.headers['Content-Type'] == ctype


def test_response_object_and_default_content_type(monkeypatch):
    app = Microdot()

    @app.get('/')
    async def index(req):
        return Response('<p>hi</p>', 201, {'X-A': 'b'})

    monkeypatch.setattr(Response, 'default_content_type', 'text/html')
    res = call(app, 'GET', '/')
    assert res.status_code == 201 and res.text == '<p>hi</p>'
    assert res.headers['X-A'] == 'b'
    assert res.headers['Content-Type'].startswith('text/html')


def test_redirect():
    app = Microdot()

    @app.get('/')
    async def index(req):
        return redirect('/about')

    @app.get('/perm')
    async def perm(req):
        return redirect('/new', status_code=301)

    res = call(app, 'GET', '/')
    assert res.status_code == 302 and res.headers['Location'] == '/about'
    assert call(app, 'GET', '/perm').status_code == 301
    with pytest.raises(ValueError):
        redirect('/x\r\nSet-Cookie: evil=1')


def test_send_file(tmp_path, monkeypatch):
    monkeypatch.setattr(Response, 'send_file_buffer_size', 7)
    content = b''.join(bytes([i % 256]) for i in range(1000))
    (tmp_path / 'image.png').write_bytes(content)
    (tmp_path / 'page.html').write_bytes(b'<h1>hi</h1>')
    (tmp_path / 'data.bin').write_bytes(b'\x00\x01')
    (tmp_path / 'app.js.gz').write_bytes(b'gzipped')
    (tmp_path / 'noext').write_bytes(b'plain')
    app = Microdot()

    @app.get('/<name>')
    async def index(req, name):
        if name == 'app.js':
            return send_file(str(tmp_path / name), compressed=True,
                             file_extension='.gz')
        return send_file(str(tmp_path / name), max_age=3600)

    res = call(app, 'GET', '/image.png')
    assert res.status_code == 200 and res.body == content
    assert res.headers['Content-Type'] == 'image/png'
    assert res.headers['Content-Length'] == '1000'
    assert res.headers['Cache-Control'] == 'max-age=3600'
    assert call(app, 'GET', '/page.html').headers['Content-Type'] == \
        'text/html'
    assert call(app, 'GET', '/data.bin').headers['Content-Type'] == \
        'application/octet-stream'
    res = call(app, 'GET', '/app.js')
    assert res.body == b'gzipped'
    assert res.headers['Content-Type'] == 'application/javascript'
    assert res.headers['Content-Encoding'] == 'gzip'
    res = call(app, 'GET', '/noext')
    assert res.body == b'plain'


def test_send_file_content_type_override(tmp_path):
    (tmp_path / 'x.txt').write_bytes(b'{}')
    app = Microdot()

    @app.get('/')
    async def index(req):
        return send_file(str(tmp_path / 'x.txt'),
                         content_type='application/json')

    assert call(app, 'GET', '/').headers['Content-Type'] == \
        'application/json'


def test_streamed_generators():
    app = Microdot()

    @app.get('/sync')
    async def sync_gen(req):
        def generate():
            a, b = 0, 1
            while a < 100:
                yield str(a) + '\n'
                a, b = b, a + b
        return generate()

    @app.get('/async')
    async def async_gen(req):
        async def generate():
            for i in range(3):
                await asyncio.sleep(0)
                yield b'chunk%d;' % i
        return generate()

    class Counter:
        def __init__(self):
            self.i = 0

        def __aiter__(self):
            return self

        async def __anext__(self):
            self.i += 1
            if self.i > 3:
                raise StopAsyncIteration
            return str(self.i)

    @app.get('/class')
    async def class_gen(req):
        return Counter()

    res = call(app, 'GET', '/sync')
    assert res.headers['Transfer-Encoding'] == 'chunked'
    assert res.text.split('\n')[:-1] == ['0', '1', '1', '2', '3', '5', '8',
                                         '13', '21', '34', '55', '89']
    assert call(app, 'GET', '/async').text == 'chunk0;chunk1;chunk2;'
    assert call(app, 'GET', '/class').text == '123'


def test_set_cookie_and_delete_cookie():
    app = Microdot()

    @app.get('/set')
    async def set_cookies(req):
        res = Response('set')
        res.set_cookie('a', '1')
        res.set_cookie('b', '2', path='/', domain='example.com',
                       expires='Wed, 21 Oct 2037 07:28:00 GMT', max_age=60,
                       secure=True, http_only=True, partitioned=True,
                       samesite='Lax')
        res.set_cookie('c', '3', expires=datetime.datetime(
            2037, 10, 21, 7, 28, 0))
        return res

    @app.get('/delete')
    async def delete(req):
        res = Response('deleted ' + ','.join(sorted(req.cookies)))
        res.delete_cookie('a', path='/')
        return res

    client = TestClient(app)
    res = asyncio.run(client.get('/set'))
    cookies = res.headers['Set-Cookie']
    assert cookies[0] == 'a=1'
    assert cookies[1] == ('b=2; Path=/; Domain=example.com; '
                          'Expires=Wed, 21 Oct 2037 07:28:00 GMT; '
                          'Max-Age=60; Secure; HttpOnly; Partitioned; '
                          'SameSite=Lax')
    assert cookies[2] == 'c=3; Expires=Wed, 21 Oct 2037 07:28:00 GMT'
    assert client.cookies == {'a': '1', 'b': '2', 'c': '3'}
    res = asyncio.run(client.get('/delete'))
    assert res.text == 'deleted a,b,c'
    assert res.headers['Set-Cookie'][0].startswith('a=; Path=/; Expires=')
    assert client.cookies == {'b': '2', 'c': '3'}


@pytest.mark.parametrize('name,value', [
    ('a', 'x;y'), ('a', 'x\r\nSet-Cookie: evil=1'), ('a;b', 'x'),
    ('a', 'x\ny'), ('', 'x'),
])
def test_cookie_injection_rejected(name, value):
    res = Response()
    with pytest.raises(ValueError):
        res.set_cookie(name, value)


def test_header_injection_becomes_500():
    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'x', {'X-Evil': 'a\r\nSet-Cookie: evil=1'}

    res = call(app, 'GET', '/')
    assert res.status_code == 500
    assert 'Set-Cookie' not in res.headers


def test_test_client_custom_cookies_sent():
    app = Microdot()

    @app.get('/')
    async def index(req):
        return req.cookies

    client = TestClient(app, cookies={'session': 'abc'})
    assert asyncio.run(client.get('/')).json == {'session': 'abc'}
