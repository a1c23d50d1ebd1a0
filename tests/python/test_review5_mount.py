"""review5, the guide's "Mounting a Sub-Application" and "Error Handlers",
as a user writes them: sub-apps in modules of their own (made with
microdot's Microdot, as the guide's customers.py), mounted on the main
app of the server in use, asked by a real client on the built-in server
(CPython and MicroPython), uvicorn and gunicorn.

Which error handler wins between a mounted sub-app and the main app (the
guide says the sub-app's handlers are "copied over to the main application
at mount time" and, with local=True, "only apply to the sub-application"):
- mount(sub): the sub-app's handlers fill in what the main app lacks and
  then apply everywhere; for an error both handle, the main app's handler
  wins, whichever was registered first (a sub-app cannot replace the main
  app's pages for the main app's own routes);
- mount(sub, local=True): for errors raised by the sub-app's routes the
  sub-app's handlers come first, like an inner try/except (its
  errorhandler(Exception) takes a KeyError the main app also handles);
  everything else, including 404/405 of URLs under its prefix that no route
  matched (routing errors, as with Flask's blueprints), goes to the main
  app's handlers.
Exception handlers are looked up by class, the most specific first."""
import http.client
import json

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

API = '''
from microdot import Microdot, abort

api = Microdot()


class NotReady(Exception):
    pass


@api.get('/items/<int:n>')
async def item(request, n):
    if n == 0:
        abort(404)
    if n == 1:
        raise KeyError('k')
    if n == 2:
        raise NotReady()
    return {'item': n, 'prefix': request.url_prefix}


@api.errorhandler(404)
async def api_not_found(request):
    return {'error': 'no such item'}, 404


@api.errorhandler(Exception)
async def api_error(request, exc):
    return {'error': type(exc).__name__}, 500
'''

SHOP = '''
from microdot import Microdot

shop = Microdot()


@shop.get('/')
async def index(request):
    return 'shop at ' + request.url_prefix


@shop.get('/broken')
async def broken(request):
    raise LookupError('shop')


@shop.errorhandler(404)
async def shop_not_found(request):
    return 'shop 404', 404


@shop.errorhandler(LookupError)
async def shop_lookup(request, exc):
    return 'shop LookupError', 500
'''

MAIN = '''
from api import api
from shop import shop


class AppError(Exception):
    pass


class PaymentError(AppError):
    pass


class CardDeclined(PaymentError):
    pass


app = Microdot()


@app.errorhandler(404)
async def not_found(request):
    return 'main 404', 404


app.mount(api, url_prefix='/api', local=True)
app.mount(shop, url_prefix='/shop')


@app.errorhandler(KeyError)
async def key_error(request, exc):
    return 'main KeyError', 500


@app.errorhandler(AppError)
async def app_error(request, exc):
    return 'main AppError ' + type(exc).__name__, 402


@app.errorhandler(PaymentError)
async def payment_error(request, exc):
    return 'main PaymentError ' + type(exc).__name__, 402


@app.get('/pay/<kind>')
async def pay(request, kind):
    raise {'app': AppError, 'payment': PaymentError,
           'declined': CardDeclined, 'key': KeyError}[kind]()
'''

EXPECTED = [
    # the local sub-app's routes: its handlers first
    ('/api/items/5', 200, {'item': 5, 'prefix': '/api'}),
    ('/api/items/0', 404, {'error': 'no such item'}),
    ('/api/items/1', 500, {'error': 'KeyError'}),
    ('/api/items/2', 500, {'error': 'NotReady'}),
    # a URL under its prefix that no route matches: the main app's
    ('/api/nothing', 404, 'main 404'),
    # the non-local sub-app: its LookupError handler copied over...
    ('/shop/', 200, 'shop at /shop'),
    ('/shop/broken', 500, 'shop LookupError'),
    # ...but not its 404, which the main app has
    ('/shop/nothing', 404, 'main 404'),
    ('/nothing', 404, 'main 404'),
    # the main app's routes: the most specific class's handler, the main
    # app's KeyError before the LookupError one copied from the shop, and
    # the local sub-app's handlers not at all
    ('/pay/app', 402, 'main AppError AppError'),
    ('/pay/payment', 402, 'main PaymentError PaymentError'),
    ('/pay/declined', 402, 'main PaymentError CardDeclined'),
    ('/pay/key', 500, 'main KeyError'),
]


@pytest.mark.parametrize('kind', KINDS)
def test_mounted_sub_apps_and_their_error_handlers(serve, kind):
    served = serve(kind, MAIN, files={'api.py': API, 'shop.py': SHOP})
    got = []
    conn = http.client.HTTPConnection('127.0.0.1', served.port, timeout=10)
    try:
        for path, _, _ in EXPECTED:
            conn.request('GET', path)
            res = conn.getresponse()
            body = res.read().decode()
            if res.getheader('Content-Type', '').startswith(
                    'application/json'):
                body = json.loads(body)
            got.append((path, res.status, body))
    finally:
        conn.close()
    assert got == EXPECTED
