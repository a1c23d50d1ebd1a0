"""File uploads (microdot.multipart), streamed to disk in small chunks, so
files larger than RAM are fine.

    python examples/uploads/uploads.py     (files go to ./uploads)
"""
import os

from microdot import Microdot, Request, Response
from microdot.multipart import FileUpload, FormDataIter, with_form_data

Request.max_content_length = 1024 * 1024 * 1024  # accept up to 1 GB
UPLOAD_DIR = 'uploads'
app = Microdot()
Response.default_content_type = 'text/html'

FORM = '''<!doctype html>
<form method="POST" action="/upload" enctype="multipart/form-data">
<input name="title" placeholder="title"> <input type="file" name="file">
<button>Upload</button></form>
<form method="POST" action="/stream" enctype="multipart/form-data">
<input type="file" name="file" multiple> <button>Upload (streamed)</button>
</form>'''


def make_dir(path):
    # os.makedirs() and os.path are CPython's; MicroPython has os.mkdir()
    try:
        os.mkdir(path)
    except OSError:  # it exists
        pass


def upload_path(filename):
    return UPLOAD_DIR + '/' + safe_name(filename)


def safe_name(filename):
    # never trust a client's file name as a path
    name = filename.replace('\\', '/').split('/')[-1].lstrip('.')
    return name or 'unnamed'


@app.get('/')
async def index(request):
    return FORM


@app.post('/upload')
@with_form_data
async def upload(request):
    # every part has been read: files larger than FileUpload.max_memory_size
    # wait in a temporary file, which copy_to() moves into place
    file = request.files['file']
    size = await file.copy_to(upload_path(file.filename))
    return '<p>{}: {} bytes saved</p>'.format(request.form.get('title'), size)


@app.post('/stream')
async def stream(request):
    # parts are handed over as they arrive: nothing is spooled
    saved = []
    async for name, value in FormDataIter(request):
        if isinstance(value, FileUpload):
            size = await value.copy_to(upload_path(value.filename))
            saved.append('{} ({} bytes)'.format(safe_name(value.filename),
                                                size))
    return '<p>Saved: {}</p>'.format(', '.join(saved))


if __name__ == '__main__':
    make_dir(UPLOAD_DIR)
    app.run()
