"""HTML templates with the utemplate engine (CPython and MicroPython).

utemplate compiles each template into a Python module of generator
functions. The compiled modules are written next to the templates, as
``<name>_<ext>.py``, and imported from there, so the template directory must
be importable: a path relative to the working directory (or to an entry of
``sys.path``), such as the default ``templates``.

Usage::

    from microdot.utemplate import Template

    @app.get('/')
    async def index(request):
        return Template('index.html').render(name='Susan')

``generate()`` returns a generator of text pieces, which can be returned as a
streaming response. ``render_async()`` and ``generate_async()`` are the same
for code that expects awaitables.

utemplate is not installed by pip on CPython (see the README); on
MicroPython, install it with mip or copy its ``utemplate/`` package.
"""
import sys

from utemplate import recompile

_loader = None


def init_templates(template_dir='templates', loader_class=recompile.Loader):
    """Sets the directory of the templates and the utemplate loader class
    (``recompile.Loader`` recompiles templates that changed;
    ``compiled.Loader`` only loads precompiled ones). Calling it again
    switches directory. Without a call, the first template uses the
    defaults.

    Example::

        from utemplate import compiled
        init_templates('views', loader_class=compiled.Loader)
    """
    global _loader
    if _loader is not None:
        _forget_compiled(_loader.p)
    _loader = loader_class(None, template_dir.rstrip('/'))
    _forget_compiled(_loader.p)


def _forget_compiled(prefix):
    # Compiled templates are modules named after the directory and the file
    # (templates.index_html): another directory of the same name, or the
    # same one seen from another working directory, must not reuse them.
    for name in [m for m in sys.modules if m.startswith(prefix)]:
        del sys.modules[name]


class Template:
    """A template of the template directory, loaded (and compiled if
    needed) on creation.

    :param template: the template's file name, relative to the template
        directory (``init_templates()`` is called with the defaults if it
        was not called yet).

    The rendering methods pass their arguments on to the template.
    """

    def __init__(self, template):
        if _loader is None:
            init_templates()
        self.name = template
        self.template = _loader.load(template)

    def generate(self, *args, **kwargs):
        """A generator of the rendered text, piece by piece. Returned from a
        route, it is sent as the pieces come."""
        return self.template(*args, **kwargs)

    def render(self, *args, **kwargs):
        """The rendered text."""
        return ''.join(self.generate(*args, **kwargs))

    def generate_async(self, *args, **kwargs):
        """An async iterator of the rendered text, piece by piece."""
        return _AsyncPieces(self.generate(*args, **kwargs))

    async def render_async(self, *args, **kwargs):
        """The rendered text (async)."""
        return self.render(*args, **kwargs)


class _AsyncPieces:
    # MicroPython has no async generators, so this is a class.
    def __init__(self, pieces):
        self.pieces = pieces

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self.pieces)
        except StopIteration:
            raise StopAsyncIteration


def render_template(template, *args, **kwargs):
    """The rendered text of ``template`` (the 2.0 and 1.x function):
    ``Template(template).render(*args, **kwargs)``.

    Example::

        @app.get('/hello/<name>')
        async def hello(request, name):
            html = render_template('hello.html', name=name)
            return html, {'Content-Type': 'text/html; charset=UTF-8'}
    """
    return Template(template).render(*args, **kwargs)
