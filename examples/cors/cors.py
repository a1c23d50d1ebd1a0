"""Cross-origin requests (microdot.cors).

    python examples/cors/cors.py
    curl -i -X OPTIONS -H 'Origin: https://example.com' \
         -H 'Access-Control-Request-Method: PUT' http://localhost:5000/items
"""
from microdot import Microdot
from microdot.cors import CORS

app = Microdot()
CORS(app, allowed_origins=['https://example.com'], allow_credentials=True,
     expose_headers=['X-Total-Count'], max_age=600)

ITEMS = ['apples', 'pears']


@app.route('/items', methods=['GET', 'PUT'])
async def items(request):
    if request.method == 'PUT':
        ITEMS[:] = request.json or []
    return ITEMS, {'X-Total-Count': str(len(ITEMS))}


if __name__ == '__main__':
    app.run()
