"""Remembers who you are in a signed session cookie.

    python examples/sessions/login.py     (then open http://localhost:5000)
"""
from microdot import Microdot, Response, redirect
from microdot.session import Session, with_session

app = Microdot()
Session(app, secret_key='change-me-to-a-long-random-string')
Response.default_content_type = 'text/html'

PAGE = '''<!doctype html><h1>Session example</h1>{}'''
LOGIN_FORM = '''<form method="POST">Your name:
<input name="username" autofocus> <button>Log in</button></form>'''
LOGOUT_FORM = '''<p>Hello, {}!</p>
<form method="POST" action="/logout"><button>Log out</button></form>'''


def escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


@app.route('/', methods=['GET', 'POST'])
@with_session
async def index(req, session):
    if req.method == 'POST':
        session['username'] = req.form.get('username') or 'stranger'
        session.save()
        return redirect('/')
    username = session.get('username')
    if username is None:
        return PAGE.format(LOGIN_FORM)
    return PAGE.format(LOGOUT_FORM.format(escape(username)))


@app.post('/logout')
@with_session
async def logout(req, session):
    session.delete()
    return redirect('/')


if __name__ == '__main__':
    app.run()
