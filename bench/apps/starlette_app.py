"""The benchmark app on Starlette (the anchor under uvicorn): same routes and
answers as app.py."""
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse('Hello, World!')


async def item(request):
    return JSONResponse({
        'id': request.path_params['item_id'],
        'color': request.query_params.get('color'),
        'size': request.query_params.get('size'),
        'session': request.cookies.get('session'),
        'language': request.headers.get('accept-language'),
    })


app = Starlette(routes=[
    Route('/', hello),
    Route('/catalog/items/{item_id:int}', item),
])
