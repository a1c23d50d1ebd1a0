"""review5, templates as the extension guide and the template modules'
docstrings use them (render, render_async, generate and generate_async
returned as a streamed body), asked by a real client: Jinja with
enable_async on the built-in server, uvicorn and gunicorn (CPython only,
as the guide says), utemplate on the built-in server on CPython and on
MicroPython."""
import http.client
import os

import pytest

import test_review5_support

serve = test_review5_support.serve  # the fixture

JINJA_APP = '''
import asyncio
from microdot.jinja import Template, init_templates

init_templates('templates', enable_async=True)
app = Microdot()


async def fruits():
    for name in ('apples', '<pears>'):
        await asyncio.sleep(0)
        yield name


@app.get('/render_async')
async def render_async(request):
    html = await Template('page.html').render_async(name='Susan',
                                                    items=fruits())
    return html, {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/generate_async')
async def generate_async(request):
    return Template('page.html').generate_async(name='Susan',
                                                items=fruits())


@app.get('/render')
def render(request):
    # a def handler (run in a thread): Jinja renders an async environment's
    # template with an event loop of its own there
    return Template('page.html').render(name='Susan',
                                        items=['apples', '<pears>'])
'''

JINJA_PAGE = ('<h1>Hello, {{ name }}!</h1>'
              '{% for item in items %}<li>{{ item }}</li>{% endfor %}')
PAGE = '<h1>Hello, Susan!</h1><li>apples</li><li>&lt;pears&gt;</li>'


def get(port, path):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request('GET', path)
        res = conn.getresponse()
        return res.status, res.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize('kind', ['builtin', 'asgi', 'wsgi'])
def test_jinja_async_rendering_and_streaming(serve, kind, tmp_path):
    pytest.importorskip('jinja2')
    (tmp_path / 'templates').mkdir()
    (tmp_path / 'templates' / 'page.html').write_text(JINJA_PAGE)
    served = serve(kind, JINJA_APP)
    for path in ('/render_async', '/generate_async', '/render'):
        assert get(served.port, path) == (200, PAGE), path


UTEMPLATE_APP = '''
sys.path.append(UTEMPLATE_DIR)
from microdot.utemplate import Template, init_templates

init_templates('templates')
app = Microdot()


@app.get('/render')
async def render(request):
    return Template('page.html').render('Susan', ['apples', '<pears>'])


@app.get('/render_async')
async def render_async(request):
    return await Template('page.html').render_async('Susan', ['apples'])


@app.get('/generate')
async def generate(request):
    return Template('page.html').generate('Susan', ['apples', '<pears>'])


@app.get('/generate_async')
async def generate_async(request):
    return Template('page.html').generate_async('Susan', ['apples'])
'''

UTEMPLATE_PAGE = ('{% args name, items %}<h1>Hello, {{ name }}!</h1>'
                  '{% for item in items %}<li>{{ item }}</li>{% endfor %}')


@pytest.mark.parametrize('kind', ['builtin', 'micropython'])
def test_utemplate_rendering_and_streaming(serve, kind, tmp_path):
    import test_templates
    test_templates._find_utemplate()
    import utemplate.recompile
    utemplate_dir = os.path.dirname(
        os.path.dirname(utemplate.recompile.__file__))
    (tmp_path / 'templates').mkdir()
    (tmp_path / 'templates' / 'page.html').write_text(UTEMPLATE_PAGE)
    served = serve(kind, 'UTEMPLATE_DIR = {!r}\n'.format(utemplate_dir) +
                   UTEMPLATE_APP)
    one = '<h1>Hello, Susan!</h1><li>apples</li>'
    # (utemplate escapes nothing unless told: {{ item }} is the text as is)
    two = '<h1>Hello, Susan!</h1><li>apples</li><li><pears></li>'
    assert get(served.port, '/render') == (200, two)
    assert get(served.port, '/render_async') == (200, one)
    assert get(served.port, '/generate') == (200, two)
    assert get(served.port, '/generate_async') == (200, one)
