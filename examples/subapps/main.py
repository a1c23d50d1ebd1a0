"""An application assembled from sub-applications with mount().

    cd examples/subapps && python main.py

    GET /                     an index
    GET /customers/           from customers.py, open to all
    GET /customers/<id>
    GET /orders/              from orders.py, which wants a token:
    GET /orders/<id>          curl -H 'Authorization: Bearer orders-secret' ...

The orders app is mounted with ``local=True``, so its before-request handler
guards its own routes only. Handlers of the main app (the after-request one
below) apply to every route, the mounted ones included.
"""
from microdot import Microdot

from customers import customers_app
from orders import orders_app

app = Microdot()
app.mount(customers_app, url_prefix='/customers')
app.mount(orders_app, url_prefix='/orders', local=True)


@app.get('/')
async def index(request):
    return {'customers': '/customers/', 'orders': '/orders/'}


@app.after_request
async def tag(request, response):
    response.headers['X-Served-By'] = 'subapps example'
    return response


if __name__ == '__main__':
    app.run()
