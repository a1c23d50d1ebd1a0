"""HTML templates with utemplate (CPython and MicroPython). Run from this
directory, so that templates/ is importable (utemplate compiles each
template into a module next to it):

    cd examples/templates/utemplate && python hello.py

On CPython, put utemplate on the path first (tests/fetch_utemplate.sh
prints where it put it): PYTHONPATH=$(../../../tests/fetch_utemplate.sh).
"""
from microdot import Microdot, Response
from microdot.utemplate import Template

app = Microdot()
Response.default_content_type = 'text/html'


def escape(text):
    # utemplate inserts values as they are: escape what the user typed
    return text.replace('&', '&amp;').replace('<', '&lt;').replace(
        '>', '&gt;').replace('"', '&quot;')


@app.route('/', methods=['GET', 'POST'])
async def index(req):
    name = None
    if req.method == 'POST':
        name = escape(req.form.get('name') or '')
    return Template('index.html').render(name=name)


@app.get('/stream')
async def stream(req):
    # generate() streams the page piece by piece
    return Template('index.html').generate(name='streaming')


if __name__ == '__main__':
    app.run()
