"""The app of tests/python/test_h1_server_socket_loop.py: answers with the
attributes of the Request the server made, next to those of one made by
Request.__init__ from the same values, so the test can tell whether the
server's request loops build requests exactly as the constructor does.
Runs unchanged on CPython and MicroPython (python|micropython FILE PORT)."""
import sys

try:
    from os import getenv
except ImportError:  # pragma: no cover
    def getenv(name):
        return None

from microdot import Microdot, Request, Response

app = Microdot()
# set by dispatch, or computed on first read (which the server may do)
SKIP = ('route', '_raw_headers', 'url_args', '_stream')


def fields(req):
    return dict((name, repr(value)) for name, value in req.__dict__.items()
                if name not in SKIP)


@app.route('/fields', methods=['GET', 'POST', 'PUT', 'HEAD'])
async def request_fields(req):
    url = req.url  # (the server may leave it to be joined on first read)
    made = fields(req)
    twin = Request(req.app, req.client_addr, req.method, url,
                   req.http_version, [], req.body if req.body else None,
                   None, req.sock, '', None, req.scheme)
    return {'server': made, 'init': fields(twin)}


@app.get('/with-header')
async def with_header(req):
    return Response('headed', headers={'X-H1': 'yes'})


@app.get('/plain')
async def plain(req):
    return 'plain'


port = int(sys.argv[1] if len(sys.argv) > 1
           else getenv('MICRODOT_TEST_PORT') or 5000)
app.run(host='127.0.0.1', port=port)
