"""The smallest Microdot app: answers "Hello, world!" on port 5000.

Run it from the root of the repository with CPython::

    PYTHONPATH=python python examples/hello/hello.py

(or just ``python examples/hello/hello.py`` once ``pip install .`` has
installed the package), or with MicroPython's unix port::

    MICROPYPATH=python:.frozen micropython examples/hello/hello.py

then open http://localhost:5000/. An optional first argument sets the port:
``python examples/hello/hello.py 8000``. GET /shutdown stops the server.
"""
import sys

try:
    from microdot import Microdot
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, __file__.rsplit('/', 3)[0] + '/python')
    from microdot import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello, world!'


@app.route('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'The server is shutting down...'


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    app.run(port=port)
