"""HTTP Basic and Bearer token authentication (microdot.auth).

    python examples/auth/basic_and_token.py
    curl -u susan:hello http://localhost:5000/
    curl -H 'Authorization: Bearer secret-token-1' http://localhost:5000/api
"""
from microdot import Microdot
from microdot.auth import BasicAuth, TokenAuth

app = Microdot()
basic_auth = BasicAuth()
token_auth = TokenAuth()

USERS = {'susan': 'hello', 'joe': 'bye'}  # a real app stores password hashes
TOKENS = {'secret-token-1': 'susan'}


@basic_auth.authenticate
async def check_password(request, username, password):
    if USERS.get(username) == password:
        return username


@token_auth.authenticate
async def check_token(request, token):
    return TOKENS.get(token)


@app.get('/')
@basic_auth
async def index(request):
    return 'Hello, {}!'.format(request.g.current_user)


@app.get('/api')
@token_auth
async def api(request):
    return {'user': request.g.current_user}


@app.get('/public')
@basic_auth.optional
async def public(request):
    return 'Hello, {}!'.format(request.g.current_user or 'anonymous')


if __name__ == '__main__':
    app.run()
