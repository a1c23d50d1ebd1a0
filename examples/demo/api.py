"""The demo's JSON API, a sub-application mounted at /api by app.py.

    GET    /api/items            the list of items
    POST   /api/items            {"name": "..."} -> the new item (201)
    GET    /api/items/<id>       one item (404 when missing)
    DELETE /api/items/<id>       removes it (204)
    GET    /api/counter          {"value": n}
    POST   /api/counter          adds one (or {"add": n}, -100..100)
    GET    /api/info             backend and interpreter
"""
import sys

from microdot import Microdot
from microdot._backend import NAME as BACKEND

from live import counter

api = Microdot()

MAX_ITEMS = 100
MAX_NAME = 80

items = {1: {'id': 1, 'name': 'resistor'}, 2: {'id': 2, 'name': 'capacitor'}}
_last_id = [2]


class APIError(Exception):
    """An error answered as JSON: {"error": message}."""

    def __init__(self, message, status_code=400):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@api.errorhandler(APIError)
async def api_error(request, exc):
    return {'error': exc.message}, exc.status_code


@api.errorhandler(400)
async def bad_request(request):
    # e.g. a body that is not valid JSON
    return {'error': 'bad request'}, 400


def _json_body(request):
    data = request.json
    return data if isinstance(data, dict) else {}


def _name_from(request):
    name = _json_body(request).get('name')
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise APIError('expected {"name": "..."} (1 to 80 characters)')
    return name.strip()


@api.get('/items')
async def list_items(request):
    return [items[key] for key in sorted(items)]


@api.post('/items')
async def create_item(request):
    name = _name_from(request)
    if len(items) >= MAX_ITEMS:
        raise APIError('the list is full', 409)
    _last_id[0] += 1
    item = items[_last_id[0]] = {'id': _last_id[0], 'name': name}
    return item, 201


@api.get('/items/<int:item_id>')
async def get_item(request, item_id):
    if item_id not in items:
        raise APIError('no item {}'.format(item_id), 404)
    return items[item_id]


@api.delete('/items/<int:item_id>')
async def delete_item(request, item_id):
    if items.pop(item_id, None) is None:
        raise APIError('no item {}'.format(item_id), 404)
    return '', 204


@api.route('/counter', methods=['GET', 'POST'])
async def counter_value(request):
    if request.method == 'POST':
        amount = _json_body(request).get('add', 1)
        if not isinstance(amount, int) or isinstance(amount, bool) or \
                not -100 <= amount <= 100:
            raise APIError('expected {"add": n} with -100 <= n <= 100')
        counter.add(amount)
    return {'value': counter.value}


@api.get('/info')
async def info(request):
    return {'backend': BACKEND, 'implementation': sys.implementation.name,
            'version': sys.version}

