"""review6, the CSRF extension's ``@csrf.protect`` as upstream Microdot
documents it: "useful when it is necessary to protect a request that uses
one of the safe methods" (a board's ``GET /led/on`` that a page of another
site could trigger with an ``<img>``). Asked with the headers browsers
send (``Sec-Fetch-Site``, ``Origin``), on the built-in server (CPython and
MicroPython), uvicorn and gunicorn.

Failed before the fix: safe methods were never checked, so a protected
GET route ran for a cross-site request (200 and the LED switched on)."""
import http.client

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
from microdot.csrf import CSRF

app = Microdot()
csrf = CSRF(app)
state = {'led': 'off', 'hooks': 0}


@app.get('/led/on')
@csrf.protect
async def led_on(request):
    state['led'] = 'on'
    return 'led on'


@app.get('/led')
async def led(request):
    return state['led']


@app.post('/led/off')
async def led_off(request):
    state['led'] = 'off'
    return 'led off'


@app.post('/hook')
@csrf.exempt
async def hook(request):
    state['hooks'] += 1
    return 'hook %d' % state['hooks']
'''

CROSS = {'Sec-Fetch-Site': 'cross-site', 'Origin': 'https://evil.example'}
SAME = {'Sec-Fetch-Site': 'same-origin'}


def ask(port, method, path, headers=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        body = b'' if method == 'POST' else None
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


@pytest.mark.parametrize('kind', KINDS)
def test_protected_get_route_refuses_other_sites(serve, kind):
    port = serve(kind, APP).port
    # another site's page: refused, and the state is unchanged
    assert ask(port, 'GET', '/led/on', CROSS)[0] == 403
    assert ask(port, 'GET', '/led/on',
               {'Sec-Fetch-Site': 'cross-site'})[0] == 403
    assert ask(port, 'GET', '/led/on',
               {'Origin': 'https://evil.example'})[0] == 403
    assert ask(port, 'GET', '/led') == (200, b'off')
    # a CORS preflight is not refused (CORS decides; the GET is checked)
    assert ask(port, 'OPTIONS', '/led/on', dict(
        CROSS, **{'Access-Control-Request-Method': 'GET'}))[0] != 403
    # the page of this site, a typed URL (none), a non-browser client
    assert ask(port, 'GET', '/led/on', SAME) == (200, b'led on')
    assert ask(port, 'POST', '/led/off', SAME) == (200, b'led off')
    assert ask(port, 'GET', '/led/on', {'Sec-Fetch-Site': 'none'}) == \
        (200, b'led on')
    assert ask(port, 'POST', '/led/off') == (200, b'led off')
    assert ask(port, 'GET', '/led/on') == (200, b'led on')
    # the rest as before: unsafe methods checked, exempt routes not, plain
    # GETs not
    assert ask(port, 'POST', '/led/off', CROSS)[0] == 403
    assert ask(port, 'GET', '/led', CROSS) == (200, b'on')
    assert ask(port, 'POST', '/hook', CROSS) == (200, b'hook 1')
