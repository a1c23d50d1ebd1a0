"""The demo: one app that shows the framework at work.

    bash examples/demo/run.sh              # CPython: installs, then serves
    python examples/demo/app.py [port]     # with microdot installed
    MICROPYPATH=python:.frozen micropython examples/demo/app.py [port]

then open http://127.0.0.1:5000. What it shows, and where:

    /            templates (Jinja on CPython, plain strings on MicroPython)
                 and a live counter (Server-Sent Events, live.py)
    /chat        a chat room over WebSocket (live.py)
    /uploads     a form with a file upload (multipart), files kept in memory
    /login       a login with signed-cookie sessions; /account needs it
    /api/...     a JSON API, mounted as a sub-application (api.py)
    /static/...  the stylesheet and script, with send_file()

Forms are protected against cross-site requests (microdot.csrf). Set
DEMO_SECRET_KEY to keep sessions valid across restarts.
"""
import binascii
import hashlib
import os
import sys

from microdot import Microdot, Request, redirect, send_file
from microdot.csrf import CSRF
from microdot.login import Login
from microdot.multipart import with_form_data
from microdot.session import Session

from api import api, items
from live import counter, live
from pages import render

MAX_UPLOAD = 256 * 1024  # bytes of one file
KEEP_UPLOADS = 10
STATIC_DIR = (__file__.rsplit('/', 1)[0] if '/' in __file__ else '.') + \
    '/static/'

# The largest request is an upload: the file plus the multipart framing.
Request.max_content_length = MAX_UPLOAD + 16 * 1024

app = Microdot()
app.mount(api, url_prefix='/api', local=True)
app.mount(live)
Session(app, secret_key=os.getenv('DEMO_SECRET_KEY') or
        binascii.hexlify(os.urandom(32)).decode())
login = Login(login_url='/login')
CSRF(app)


# -- users --------------------------------------------------------------------

def _hash(password, salt):
    # A real application would use a slow key-derivation function.
    return hashlib.sha256((salt + ':' + password).encode()).digest()


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.salt = binascii.hexlify(os.urandom(8)).decode()
        self.password_hash = _hash(password, self.salt)

    def check_password(self, password):
        return _hash(password, self.salt) == self.password_hash


USERS = {1: User(1, 'susan', 'hello'), 2: User(2, 'joe', 'bye')}


@login.user_loader
async def load_user(user_id):
    return USERS.get(user_id)


def find_user(name, password):
    for user in USERS.values():
        if user.name == name and user.check_password(password or ''):
            return user
    return None


@app.before_request
async def load_current_user(request):
    # Every page shows who is signed in; static files do not need it.
    if not request.path.startswith('/static/'):
        request.g.user = await login.get_current_user(request)


def page(request, name, title, status_code=200, **context):
    html = render(name, title, active=request.path,
                  user=getattr(request.g, 'user', None), **context)
    return html, status_code, {'Content-Type': 'text/html; charset=UTF-8'}


# -- pages --------------------------------------------------------------------

@app.get('/')
async def index(request):
    return page(request, 'index', 'Welcome', counter=counter.value,
                items=[items[key] for key in sorted(items)])


@app.get('/chat')
async def chat_page(request):
    return page(request, 'chat', 'Chat')


@app.route('/login', methods=['GET', 'POST'])
async def login_page(request):
    next_url = request.args.get('next', '')
    if request.method == 'POST':
        user = find_user(request.form.get('username'),
                         request.form.get('password'))
        if user is not None:
            return await login.login_user(
                request, user, remember=bool(request.form.get('remember')))
        return page(request, 'login', 'Sign in', 401, next=next_url,
                    error='Wrong user name or password.')
    return page(request, 'login', 'Sign in', next=next_url, error=None)


@app.post('/logout')
async def logout(request):
    await login.logout_user(request)
    return redirect('/')


@app.get('/account')
@login
async def account(request):
    return page(request, 'account', 'Account',
                fresh=login.is_fresh(request))


# -- uploads ------------------------------------------------------------------

uploads = []  # the last KEEP_UPLOADS files, newest first
_upload_ids = [0]

SHOWN_INLINE = ('text/plain', 'image/png', 'image/jpeg', 'image/gif')


def uploads_page(request, message=None, error=False, status_code=200):
    return page(request, 'uploads', 'Uploads', status_code, files=uploads,
                message=message, error=error, max_kb=MAX_UPLOAD // 1024,
                keep=KEEP_UPLOADS)


@app.get('/uploads')
async def uploads_list(request):
    message = None
    if request.args.get('saved'):
        message = 'Saved ' + request.args['saved'] + '.'
    return uploads_page(request, message)


@app.post('/uploads')
@with_form_data
async def upload(request):
    # request.files is None when the body is not multipart/form-data
    file = request.files.get('file') if request.files else None
    if file is None or not file.filename:
        return uploads_page(request, 'Choose a file first.', True, 400)
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return uploads_page(request, 'That file is too large.', True, 413)
    _upload_ids[0] += 1
    name = file.filename.replace('\\', '/').split('/')[-1][:100]
    uploads.insert(0, {
        'id': _upload_ids[0], 'name': name, 'size': len(data), 'data': data,
        'content_type': file.content_type or 'application/octet-stream',
        'description': (request.form.get('description') or '')[:100],
        'sha256': binascii.hexlify(hashlib.sha256(data).digest()).decode(),
    })
    del uploads[KEEP_UPLOADS:]
    # Post/redirect/get: reloading the list does not upload again.
    return redirect('/uploads?saved=' + str(_upload_ids[0]))


@app.get('/uploads/<int:upload_id>')
async def download(request, upload_id):
    for f in uploads:
        if f['id'] == upload_id:
            inline = f['content_type'] in SHOWN_INLINE
            # Anything else is a download, so an uploaded HTML page cannot
            # run scripts on this site.
            return f['data'], {
                'Content-Type': f['content_type'] if inline
                else 'application/octet-stream',
                'Content-Disposition': 'inline' if inline else 'attachment',
                'X-Content-Type-Options': 'nosniff',
            }
    return 'No such file', 404


# -- static files ---------------------------------------------------------------

@app.get('/static/<path:path>')
async def static(request, path):
    if '..' in path or path.startswith('/'):
        return 'Not found', 404
    try:
        os.stat(STATIC_DIR + path)
    except OSError:
        return 'Not found', 404
    return send_file(STATIC_DIR + path, max_age=3600)


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    host = os.getenv('DEMO_HOST') or '127.0.0.1'
    print('demo on http://{}:{}'.format(host, port))
    app.run(host=host, port=port)
