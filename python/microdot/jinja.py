"""HTML templates with Jinja (CPython only).

Usage::

    from microdot.jinja import Template, init_templates

    init_templates('templates')

    @app.get('/')
    async def index(request):
        return Template('index.html').render(name='Susan')

``generate()`` returns a generator of text pieces, which can be returned as a
streaming response. With ``init_templates(..., enable_async=True)`` the
templates may call async functions, and ``render_async()`` and
``generate_async()`` run them on the event loop.
"""
from jinja2 import Environment, FileSystemLoader, select_autoescape

_jinja_env = None


def init_templates(template_dir='templates', enable_async=False, **kwargs):
    """Sets the template directory. ``enable_async`` and any other keyword
    arguments are passed to ``jinja2.Environment``; autoescaping is on for
    HTML and XML templates unless ``autoescape`` is given. Without a call,
    the first template uses the defaults.

    Example::

        init_templates('views', trim_blocks=True)
    """
    global _jinja_env
    kwargs.setdefault('autoescape', select_autoescape())
    _jinja_env = Environment(loader=FileSystemLoader(template_dir),
                             enable_async=enable_async, **kwargs)


class Template:
    """A template of the template directory, loaded on creation.

    :param template: the template's file name, relative to the template
        directory (``init_templates()`` is called with the defaults if it
        was not called yet).
    :raises jinja2.TemplateNotFound: there is no such template.

    The rendering methods pass their arguments on to the template, as
    keyword arguments (or one dict) of template variables.
    """

    def __init__(self, template):
        if _jinja_env is None:
            init_templates()
        self.name = template
        self.template = _jinja_env.get_template(template)

    def generate(self, *args, **kwargs):
        """A generator of the rendered text, piece by piece. Returned from a
        route, it is sent as the pieces come."""
        return self.template.generate(*args, **kwargs)

    def render(self, *args, **kwargs):
        """The rendered text."""
        return self.template.render(*args, **kwargs)

    def generate_async(self, *args, **kwargs):
        """An async generator of the rendered text, piece by piece."""
        if self.template.environment.is_async:
            return self.template.generate_async(*args, **kwargs)
        return _async_pieces(self.generate(*args, **kwargs))

    async def render_async(self, *args, **kwargs):
        """The rendered text (async)."""
        if self.template.environment.is_async:
            return await self.template.render_async(*args, **kwargs)
        return self.render(*args, **kwargs)


async def _async_pieces(pieces):
    for piece in pieces:
        yield piece


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
