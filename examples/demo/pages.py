"""Renders the demo's pages: with the Jinja templates in templates/ where
Jinja is installed (CPython), else with the plain-string versions below
(MicroPython, which has no Jinja). Both give the same page structure and
element ids, so the browser code and the tests work with either.
"""
try:
    from microdot.jinja import Template, init_templates
except ImportError:  # MicroPython, or CPython without Jinja2
    Template = None

from microdot._backend import NAME as BACKEND

_HERE = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'
ENGINE = 'jinja' if Template is not None else 'plain'
if Template is not None:
    init_templates(_HERE + '/templates')


def render(name, title, active='', user=None, engine=None, **context):
    """The HTML of page ``name`` (``'index'``, ``'chat'``, ...).
    ``engine='plain'`` forces the plain-string pages (tests use it)."""
    engine = engine or ENGINE
    context.update(title=title, active=active, user=user, backend=BACKEND,
                   engine=engine)
    if engine == 'jinja':
        return Template(name + '.html').render(**context)
    return _layout(PLAIN[name](context), context)


# -- the plain-string pages ---------------------------------------------------

def escape(value):
    return (str(value).replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;').replace('"', '&quot;'))


def quote(text):
    """Percent-encodes text for a query string value."""
    out = ''
    for byte in text.encode():
        if byte < 128 and (chr(byte).isalpha() or chr(byte).isdigit() or
                           chr(byte) in '-._~/'):
            out += chr(byte)
        else:
            out += '%{:02X}'.format(byte)
    return out


NAV = (('/', 'Home'), ('/chat', 'Chat'), ('/uploads', 'Uploads'),
       ('/api/items', 'API'))


def _link(href, label, active, element_id=None):
    return '<a href="{}"{}{}>{}</a>'.format(
        href, ' id="{}"'.format(element_id) if element_id else '',
        ' class="active"' if href == active else '', escape(label))


def _layout(content, c):
    links = [_link(href, label, c['active']) for href, label in NAV]
    if c['user'] is not None:
        links.append(_link('/account', c['user'].name, c['active'], 'nav-user'))
    else:
        links.append(_link('/login', 'Sign in', c['active'], 'nav-login'))
    return '''<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · microdot-c demo</title>
<link rel="stylesheet" href="/static/demo.css"></head>
<body><header><nav class="bar"><a class="brand" href="/">microdot-c</a>
{links}</nav></header>
<main><h1>{title}</h1>
{content}
<p class="muted">Backend <code id="backend">{backend}</code> · templates
<code id="engine">{engine}</code></p></main>
<script src="/static/demo.js"></script></body></html>'''.format(
        title=escape(c['title']), links='\n'.join(links), content=content,
        backend=escape(c['backend']), engine=escape(c['engine']))


def _index(c):
    items = ''.join('<li><a href="/api/items/{}">{}</a></li>'.format(
        item['id'], escape(item['name'])) for item in c['items'])
    return '''<div class="cards"><section class="card"><h2>Live counter</h2>
<div class="big" id="counter">{}</div>
<p><button id="increment">+1</button>
<span class="muted" id="counter-status">connecting…</span></p></section>
<section class="card"><h2>JSON API</h2><ul id="items">{}</ul></section>
<section class="card"><h2>More</h2><ul>
<li><a href="/chat">Chat</a> over WebSocket</li>
<li><a href="/uploads">Uploads</a>: a form with a file</li>
<li><a href="/account">Account</a>: a page behind a login</li>
</ul></section></div>'''.format(c['counter'], items)


def _chat(c):
    sign_in = '' if c['user'] else \
        ' · <a href="/login?next=/chat">sign in</a> to chat under your name'
    return '''<p class="muted">You are <b id="chat-name">…</b> ·
<span id="chat-members">0</span> in the room ·
<span id="chat-status">connecting…</span>{}</p>
<ul id="messages"></ul>
<form id="chat-form"><input id="message" autocomplete="off" maxlength="500">
<button id="send">Send</button></form>'''.format(sign_in)


def _uploads(c):
    out = ''
    if c['message']:
        out += '<p class="{}" id="upload-message">{}</p>'.format(
            'error' if c['error'] else 'ok', escape(c['message']))
    out += '''<form class="stack card" method="POST" action="/uploads"
enctype="multipart/form-data">
<label>Description <input name="description" maxlength="100"></label>
<input type="file" name="file" id="file"><button id="upload">Upload</button>
<span class="muted">Up to {} KB; the last {} are kept.</span></form>
<h2>Files</h2>'''.format(c['max_kb'], c['keep'])
    if not c['files']:
        return out + '<p class="muted" id="files">No files yet.</p>'
    rows = ''.join(
        '<tr><td><a href="/uploads/{}">{}</a></td><td>{}</td>'
        '<td>{} bytes</td><td><code>{}…</code></td></tr>'.format(
            f['id'], escape(f['name']), escape(f['description']), f['size'],
            f['sha256'][:16]) for f in c['files'])
    return out + '''<table id="files"><tr><th>Name</th><th>Description</th>
<th>Size</th><th>SHA-256</th></tr>{}</table>'''.format(rows)


def _login(c):
    out = ''
    if c['error']:
        out += '<p class="error" id="login-error">{}</p>'.format(
            escape(c['error']))
    action = '/login'
    if c['next']:
        action += '?next=' + quote(c['next'])
    return out + '''<form class="stack card" method="POST" action="{}">
<input name="username" id="username" placeholder="user name">
<input name="password" id="password" type="password" placeholder="password">
<label><input type="checkbox" name="remember" value="1"> Remember me</label>
<button id="sign-in">Sign in</button></form>'''.format(escape(action))


def _account(c):
    return '''<div class="card"><p>Signed in as
<b id="account-user">{}</b>{}.</p>
<form method="POST" action="/logout"><button id="sign-out">Sign out</button>
</form></div>'''.format(escape(c['user'].name),
                        '' if c['fresh'] else ' (remembered)')


PLAIN = {'index': _index, 'chat': _chat, 'uploads': _uploads,
         'login': _login, 'account': _account}
