"""Logins with "remember me", on top of sessions (microdot.login).

    python examples/login/login.py   (users: susan/hello, joe/bye)
"""
from microdot import Microdot, Response, redirect
from microdot.login import Login
from microdot.session import Session

app = Microdot()
Session(app, secret_key='change-me-to-a-long-random-string')
login = Login(login_url='/login')
Response.default_content_type = 'text/html'


class User:
    def __init__(self, id, username, password):
        self.id = id
        self.username = username
        self.password = password  # a real app stores a password hash


USERS = {1: User(1, 'susan', 'hello'), 2: User(2, 'joe', 'bye')}


@login.user_loader
async def load_user(user_id):
    return USERS.get(user_id)


@app.get('/')
@login
async def index(request):
    return '''<h1>Hello, {}!</h1>
<form method="POST" action="/logout"><button>Log out</button></form>
<p><a href="/settings">Settings</a> need a fresh login.</p>'''.format(
        request.g.current_user.username)


@app.get('/settings')
@login.fresh
async def settings(request):
    return '<p>Settings of {}.</p>'.format(request.g.current_user.username)


@app.route('/login', methods=['GET', 'POST'])
async def do_login(request):
    if request.method == 'POST':
        form = request.form
        for user in USERS.values():
            if user.username == form.get('username') and \
                    user.password == form.get('password'):
                return await login.login_user(
                    request, user, remember=bool(form.get('remember')))
        return redirect(request.url)
    return '''<form method="POST"><input name="username" placeholder="user">
<input name="password" type="password" placeholder="password">
<label><input type="checkbox" name="remember" value="1"> Remember me</label>
<button>Log in</button></form>'''


@app.post('/logout')
@login
async def logout(request):
    await login.logout_user(request)
    return redirect('/')


if __name__ == '__main__':
    app.run()
