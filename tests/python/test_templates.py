"""utemplate templates (microdot.utemplate and the 1.x microdot_utemplate)
through the test client. Runs on CPython (pytest) and on MicroPython
(tests/mpy/app_ext_runner.py).

utemplate cannot be pip-installed on CPython: tests/fetch_utemplate.sh puts
it in a cache directory, which is added to sys.path here (the MicroPython
runner does the same). The compiled templates are written to
tests/templates/ut_templates/, which is imported as the package
``ut_templates`` with tests/templates as the working directory."""
import asyncio
import sys

try:
    import os
except ImportError:  # pragma: no cover
    import uos as os

from microdot import Microdot
from microdot.test_client import TestClient


def _dirname(path):
    i = path.rfind('/')
    return '.' if i < 0 else path[:i]


def _absolute(path):
    return path if path.startswith('/') else os.getcwd() + '/' + path


TEMPLATES_ROOT = _dirname(_dirname(_absolute(__file__))) + '/templates'
EXPECTED_INDEX = ('<h1>Hello, Susan!</h1>\n<ul>\n  <li>apples</li>\n'
                  '  <li>pears</li>\n</ul>\n<footer>Served by Microdot</footer>\n')


def _find_utemplate():
    try:
        import utemplate.recompile  # noqa: F401
        return True
    except ImportError:
        pass
    default = (os.getenv('HOME') or '') + \
        '/.cache/microdot-test/utemplate-1.4.1'
    directory = os.getenv('MICRODOT_UTEMPLATE_DIR') or default
    if not _exists(directory + '/utemplate/source.py') and \
            sys.implementation.name != 'micropython':
        import subprocess
        script = _dirname(TEMPLATES_ROOT) + '/fetch_utemplate.sh'
        subprocess.run(['bash', script, directory], timeout=300, check=True,
                       stdout=subprocess.DEVNULL)
    sys.path.append(directory)
    import utemplate.recompile  # noqa: F401,F811
    return True


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


class templates_dir:
    """Runs a block with tests/templates as working directory and on
    sys.path, so that ``ut_templates`` is importable."""

    def __enter__(self):
        _find_utemplate()
        self.cwd = os.getcwd()
        os.chdir(TEMPLATES_ROOT)
        sys.path.insert(0, TEMPLATES_ROOT)
        return self

    def __exit__(self, *exc):
        sys.path.remove(TEMPLATES_ROOT)
        os.chdir(self.cwd)


def make_app():
    from microdot.utemplate import Template, init_templates
    init_templates('ut_templates')
    app = Microdot()

    @app.get('/')
    async def index(request):
        return Template('index.html').render(name='Susan',
                                             items=['apples', 'pears']), \
            {'Content-Type': 'text/html'}

    @app.get('/empty')
    def empty(request):
        return Template('index.html').render('Nobody', [])

    @app.get('/async')
    async def render_async(request):
        return await Template('index.html').render_async(
            name='Susan', items=['apples', 'pears'])

    @app.get('/stream')
    async def stream(request):
        return Template('index.html').generate(
            name='Susan', items=['apples', 'pears'])

    @app.get('/stream-async')
    async def stream_async(request):
        return Template('index.html').generate_async(
            name='Susan', items=['apples', 'pears'])

    @app.get('/text')
    async def text(request):
        return Template('hello.txt').render(name='<b>you</b>')

    return app


def test_render_generate_and_async():
    with templates_dir():
        async def main():
            client = TestClient(make_app())
            res = await client.get('/')
            assert res.status_code == 200
            assert res.headers['Content-Type'] == 'text/html'
            assert res.text == EXPECTED_INDEX
            for path in ('/async', '/stream', '/stream-async'):
                res = await client.get(path)
                assert res.status_code == 200, path
                assert res.text == EXPECTED_INDEX, (path, res.text)
            res = await client.get('/stream')
            assert 'Content-Length' not in res.headers  # really streamed
            res = await client.get('/empty')
            assert '<p>No items.</p>' in res.text
            assert 'Hello, Nobody!' in res.text
            # utemplate does not escape: the application must
            res = await client.get('/text')
            assert res.text == 'Hello, <b>you</b>!\n'
        asyncio.run(main())


def test_templates_are_compiled_next_to_sources():
    with templates_dir():
        from microdot.utemplate import Template, init_templates
        init_templates('ut_templates/')
        assert Template('hello.txt').render('a') == 'Hello, a!\n'
        assert _exists('ut_templates/hello_txt.py')


def test_missing_template_is_an_error():
    with templates_dir():
        from microdot.utemplate import Template, init_templates
        init_templates('ut_templates')
        try:
            Template('nope.html')
        except OSError:
            return
        assert False, 'a missing template must raise OSError'


def test_1x_render_template():
    with templates_dir():
        from microdot_utemplate import init_templates, render_template
        init_templates('ut_templates')
        app = Microdot()

        @app.get('/')
        def index(req):
            return render_template('index.html', 'Susan', ['apples', 'pears'])

        async def main():
            res = await TestClient(app).get('/')
            assert res.text == EXPECTED_INDEX
        asyncio.run(main())
