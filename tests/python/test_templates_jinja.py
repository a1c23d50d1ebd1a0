"""Jinja templates (microdot.jinja and the 1.x microdot_jinja) through the
test client. CPython only."""
import asyncio
import os
import sys

import pytest

from microdot import Microdot
from microdot.test_client import TestClient

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TEMPLATES = os.path.join(REPO, 'tests', 'templates', 'jinja_templates')
sys.path.append(os.path.join(REPO, 'python'))  # 1.x modules if not installed

EXPECTED = ('<title>Items of Susan</title>\n\n<h1>Hello, Susan!</h1>\n'
            '<ul><li>apples</li><li>&lt;pears&gt;</li></ul>\n')


@pytest.fixture
def jinja():
    from microdot import jinja
    saved = jinja._jinja_env
    jinja.init_templates(TEMPLATES)
    yield jinja
    jinja._jinja_env = saved


def make_app(jinja):
    app = Microdot()
    Template = jinja.Template

    @app.get('/')
    async def index(request):
        return Template('index.html').render(
            name='Susan', items=['apples', '<pears>']), \
            {'Content-Type': 'text/html'}

    @app.get('/async')
    async def render_async(request):
        return await Template('index.html').render_async(
            name='Susan', items=['apples', '<pears>'])

    @app.get('/stream')
    def stream(request):
        return Template('index.html').generate(
            name='Susan', items=['apples', '<pears>'])

    @app.get('/stream-async')
    async def stream_async(request):
        return Template('index.html').generate_async(
            name='Susan', items=['apples', '<pears>'])

    return app


def get(app, path):
    return asyncio.run(TestClient(app).get(path))


def test_render_escapes_html(jinja):
    res = get(make_app(jinja), '/')
    assert res.status_code == 200
    assert res.headers['Content-Type'] == 'text/html'
    assert res.text == EXPECTED


@pytest.mark.parametrize('path', ['/async', '/stream', '/stream-async'])
def test_async_and_streaming(jinja, path):
    res = get(make_app(jinja), path)
    assert res.status_code == 200
    assert res.text == EXPECTED
    if path.startswith('/stream'):
        assert 'Content-Length' not in res.headers


def test_enable_async_awaits_coroutines_in_templates(jinja):
    jinja.init_templates(TEMPLATES, enable_async=True)

    async def await_value():
        await asyncio.sleep(0)
        return 'from a coroutine'

    app = Microdot()

    @app.get('/')
    async def index(request):
        return await jinja.Template('async.html').render_async(
            await_value=await_value)

    @app.get('/stream')
    async def stream(request):
        return jinja.Template('async.html').generate_async(
            await_value=await_value)

    assert get(app, '/').text == '<p>from a coroutine</p>'
    assert get(app, '/stream').text == '<p>from a coroutine</p>'


def test_missing_template_is_a_500(jinja):
    app = Microdot()

    @app.get('/')
    async def index(request):
        return jinja.Template('nope.html').render()

    assert get(app, '/').status_code == 500


def test_1x_render_template(jinja):
    from microdot_jinja import init_templates, render_template
    init_templates(TEMPLATES)
    app = Microdot()

    @app.get('/')
    def index(req):
        return render_template('index.html', name='Susan',
                               items=['apples', '<pears>'])

    assert get(app, '/').text == EXPECTED
