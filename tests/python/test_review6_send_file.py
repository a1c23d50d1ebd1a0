"""review6, ``send_file`` with the options of upstream Microdot 2.x that
a static-site app uses, on every server (built-in on CPython and
MicroPython, uvicorn, gunicorn): ``max_age`` and the class default
``Response.default_send_file_max_age``, a precompressed ``.gz`` served with
``compressed=True`` and ``file_extension='.gz'`` (the content type of the
uncompressed name, ``Content-Encoding: gzip``, the exact compressed bytes),
``content_type``, ``status_code``, ``stream``, a type added to
``Response.types_map``, HEAD, and a client that decompresses (httpx)."""
import gzip
import http.client

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture
httpx = pytest.importorskip('httpx')

APP = '''
import io
from microdot import Response, send_file

Response.default_send_file_max_age = 60
Response.types_map['md'] = 'text/markdown'
app = Microdot()


@app.get('/static/<path:path>')
async def static(request, path):
    if '..' in path:
        return 'Not found', 404
    if request.args.get('gz'):
        return send_file('static/' + path, compressed=True,
                         file_extension='.gz', max_age=86400)
    return send_file('static/' + path)


@app.get('/download')
async def download(request):
    return send_file('static/app.js', content_type='application/x-custom',
                     status_code=203, max_age=0)


@app.get('/generated')
async def generated(request):
    return send_file('report.csv', stream=io.BytesIO(b'a,b\\n1,2\\n'))
'''

SCRIPT = b'function hello() { return "hi"; }\n' * 200
NOTES = b'# Notes\n\nplain text\n'


def ask(port, method, path, headers=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


@pytest.mark.parametrize('kind', KINDS)
def test_send_file_options(serve, kind, tmp_path):
    static = tmp_path / 'static'
    static.mkdir()
    compressed = gzip.compress(SCRIPT)
    (static / 'app.js').write_bytes(SCRIPT)
    (static / 'app.js.gz').write_bytes(compressed)
    (static / 'notes.md').write_bytes(NOTES)
    port = serve(kind, APP).port

    status, headers, body = ask(port, 'GET', '/static/app.js')
    assert (status, body) == (200, SCRIPT)
    assert headers['Content-Type'] == 'application/javascript'
    assert headers['Cache-Control'] == 'max-age=60'  # the class default
    assert headers['Content-Length'] == str(len(SCRIPT))

    status, headers, body = ask(port, 'GET', '/static/app.js?gz=1',
                                {'Accept-Encoding': 'gzip'})
    assert (status, body) == (200, compressed)
    assert headers['Content-Encoding'] == 'gzip'
    assert headers['Content-Type'] == 'application/javascript'
    assert headers['Cache-Control'] == 'max-age=86400'
    assert headers['Content-Length'] == str(len(compressed))
    res = httpx.get('http://127.0.0.1:{}/static/app.js?gz=1'.format(port),
                    timeout=10)
    assert res.content == SCRIPT  # (decompressed by the client)

    status, headers, body = ask(port, 'HEAD', '/static/app.js?gz=1')
    assert (status, body) == (200, b'')
    assert headers['Content-Length'] == str(len(compressed))

    status, headers, body = ask(port, 'GET', '/static/notes.md')
    assert (status, body, headers['Content-Type']) == \
        (200, NOTES, 'text/markdown')

    status, headers, body = ask(port, 'GET', '/download')
    assert (status, body) == (203, SCRIPT)
    assert headers['Content-Type'] == 'application/x-custom'
    assert headers['Cache-Control'] == 'max-age=0'

    status, headers, body = ask(port, 'GET', '/generated')
    assert (status, body) == (200, b'a,b\n1,2\n')
    assert headers['Content-Type'] == 'text/csv'

    assert ask(port, 'GET', '/static/missing.js')[0] == 404
    assert ask(port, 'GET', '/static/missing.js?gz=1')[0] == 404
