"""review5, the test client's cookie jar, which its docstring says keeps
and sends back cookies "like a browser would", checked in a user's test
of a login flow and of cookies the app deletes or scopes. Run on CPython
and MicroPython's unix port. The test failed before its fix."""
import pytest

from test_review5_support import run_script

INTERPRETERS = ['cpython', 'micropython']

# What the jar did not do as a browser does:
# - a cookie deleted with an Expires date in the past other than the 1970
#   one of delete_cookie() (set_cookie('seen', '', expires=<a datetime of
#   2000>), or a date a user writes) was kept and sent again;
# - a cookie with Path=/admin was sent to every path, and one set without a
#   Path by /account/settings (RFC 6265: its path is then /account) to '/'
#   too: a test passed where the browser would not send the cookie.
JAR_SCRIPT = '''
    import asyncio
    from microdot import Microdot, Response, redirect
    from microdot.test_client import TestClient

    app = Microdot()

    @app.get('/set')
    async def set_cookies(request):
        res = Response('set')
        res.set_cookie('seen', 'yes')
        res.set_cookie('admin', 'a1', path='/admin')
        return res

    @app.get('/account/settings')
    async def settings(request):
        res = Response('settings')
        res.set_cookie('tab', 'privacy')  # no Path: /account
        return res

    @app.get('/forget')
    async def forget(request):
        res = Response('forgotten')
        res.set_cookie('seen', '', expires='Sat, 01 Jan 2000 00:00:00 GMT')
        return res

    @app.get('/later')
    async def later(request):
        res = Response('later')
        res.set_cookie('later', 'x', expires='Fri, 01 Jan 2100 00:00:00 GMT')
        return res

    @app.post('/login')
    async def login(request):
        res = redirect('/account/home')
        res.set_cookie('user', 'susan', path='/', http_only=True)
        return res

    @app.route('/')
    @app.route('/<path:path>')
    async def echo(request, path=''):
        return ','.join(sorted(k + '=' + v
                               for k, v in request.cookies.items()))

    async def main():
        client = TestClient(app)
        await client.get('/set')
        print((await client.get('/')).text)
        print((await client.get('/admin/users')).text)
        print((await client.get('/administrator')).text)
        await client.get('/account/settings')
        print((await client.get('/account/x')).text)
        print((await client.get('/')).text)
        await client.get('/forget')
        await client.get('/later')
        print((await client.get('/')).text)
        res = await client.post('/login')
        res = await client.get(res.headers['Location'])
        print(res.text)
        print(sorted(client.cookies))

    asyncio.run(main())
'''


@pytest.mark.parametrize('interpreter', INTERPRETERS)
def test_cookie_jar_as_a_browser(interpreter, tmp_path):
    assert run_script(interpreter, JAR_SCRIPT, tmp_path) == [
        'seen=yes',
        'admin=a1,seen=yes',
        'seen=yes',
        'seen=yes,tab=privacy',
        'seen=yes',
        'later=x',
        'later=x,tab=privacy,user=susan',
        "['admin', 'later', 'tab', 'user']"]
