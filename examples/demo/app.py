"""The demo: a small app that shows the framework at work.

    bash examples/demo/run.sh            # CPython, http://127.0.0.1:5000
    python examples/demo/app.py [port]   # with microdot installed

Pages: / (index), /api/items (JSON API), /hello/<name>, /form (a form post),
/info (the active backend and interpreter).
"""
import sys

from microdot import Microdot, Response, redirect
from microdot._backend import NAME as BACKEND

app = Microdot()
Response.default_content_type = 'text/html; charset=utf-8'

items = {1: {'id': 1, 'name': 'resistor'}, 2: {'id': 2, 'name': 'capacitor'}}

PAGE = '''<!doctype html>
<html><head><meta charset="utf-8"><title>microdot-c demo</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}</style>
</head><body>
<h1>microdot-c demo</h1>
{body}
</body></html>'''


def page(body):
    return PAGE.format(body=body)


@app.get('/')
async def index(request):
    return page('''
<p>Backend: <b id="backend">{}</b></p>
<ul>
<li><a href="/api/items">/api/items</a> (JSON)</li>
<li><a href="/hello/world">/hello/&lt;name&gt;</a></li>
<li><a href="/form">a form</a></li>
<li><a href="/info">/info</a></li>
</ul>'''.format(BACKEND))


@app.get('/api/items')
async def list_items(request):
    return list(items.values())


@app.get('/api/items/<int:item_id>')
async def get_item(request, item_id):
    if item_id not in items:
        return {'error': 'not found'}, 404
    return items[item_id]


@app.post('/api/items')
async def create_item(request):
    data = request.json
    if not isinstance(data, dict) or not isinstance(data.get('name'), str):
        return {'error': 'expected {"name": "..."}'}, 400
    item_id = max(items) + 1 if items else 1
    items[item_id] = {'id': item_id, 'name': data['name']}
    return items[item_id], 201


@app.get('/hello/<name>')
async def hello(request, name):
    return page('<p>Hello, {}!</p>'.format(escape(name)))


@app.route('/form', methods=['GET', 'POST'])
async def form(request):
    if request.method == 'POST':
        name = request.form.get('name', '')
        return redirect('/hello/' + (name or 'anonymous'))
    return page('''<form method="post">
<input name="name" placeholder="your name"> <button>Send</button></form>''')


@app.get('/info')
async def info(request):
    return {'backend': BACKEND, 'python': sys.version,
            'implementation': sys.implementation.name}


def escape(text):
    return (text.replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;').replace('"', '&quot;'))


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print('demo on http://127.0.0.1:{} (backend: {})'.format(port, BACKEND))
    app.run(host='127.0.0.1', port=port, debug=True)
