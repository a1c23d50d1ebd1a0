"""Static files with send_file(), including pre-compressed variants.

    cd examples/static && python static_files.py
    cd examples/static && MICROPYPATH=../../python:.frozen micropython static_files.py

Files are served from static/. When the browser accepts gzip and a file has
a ``.gz`` variant next to it (compress.py writes them), the variant is sent
with ``Content-Encoding: gzip``: a board stores and sends fewer bytes, and
compresses nothing itself.
"""
import os

from microdot import Microdot, send_file

STATIC_DIR = 'static/'
MAX_AGE = 24 * 3600  # seconds browsers may cache a file

app = Microdot()


def exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def accepts_gzip(request):
    encodings = request.headers.get('Accept-Encoding', '')
    return 'gzip' in [e.split(';')[0].strip() for e in encodings.split(',')]


@app.get('/')
async def index(request):
    return send_file(STATIC_DIR + 'index.html')


@app.get('/static/<path:path>')
async def static(request, path):
    if '..' in path or path.startswith('/') or '\\' in path:
        return 'Not found', 404  # nothing outside static/
    filename = STATIC_DIR + path
    if not exists(filename):
        return 'Not found', 404
    if accepts_gzip(request) and exists(filename + '.gz'):
        # the Content-Type still comes from the name without .gz
        res = send_file(filename, max_age=MAX_AGE, compressed=True,
                        file_extension='.gz')
    else:
        res = send_file(filename, max_age=MAX_AGE)
    res.headers['Vary'] = 'Accept-Encoding'
    return res


if __name__ == '__main__':
    app.run()
