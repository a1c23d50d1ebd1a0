"""A Microdot app served by a WSGI server:

    gunicorn hello_wsgi:app
"""
from microdot.wsgi import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello from ' + request.environ['SERVER_SOFTWARE'] + '!'


@app.post('/upper')
async def upper(request):
    return request.body.decode().upper()
