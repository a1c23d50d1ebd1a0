"""The orders part of the subapps example. Its before-request handler asks
for a token; main.py mounts it with ``local=True``, so the check applies to
the orders routes only."""
from microdot import Microdot

orders_app = Microdot()
TOKEN = 'orders-secret'

orders = [{'id': 1, 'customer': 1, 'item': 'loom cards'},
          {'id': 2, 'customer': 2, 'item': 'compiler manual'}]


@orders_app.before_request
async def check_token(request):
    if request.headers.get('Authorization') != 'Bearer ' + TOKEN:
        return {'error': 'send "Authorization: Bearer {}"'.format(TOKEN)}, \
            401


@orders_app.get('/')
async def list_orders(request):
    customer = request.args.get('customer', None, type=int)
    return [o for o in orders if customer is None or o['customer'] == customer]


@orders_app.get('/<int:order_id>')
async def get_order(request, order_id):
    for order in orders:
        if order['id'] == order_id:
            return order
    return {'error': 'no such order'}, 404
