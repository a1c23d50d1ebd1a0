"""review6, the multipart extension as upstream Microdot documents its
iterator: ``FileUpload.copy()`` "to allow the parsing of the multipart
form to continue" (kept in memory or in a temporary file, removed by
``close()``), ``save()``, and "the iterator returns no values when the
request has a content type other than multipart/form-data". A gallery
upload route asked by a real client on the built-in server (CPython and
MicroPython), uvicorn and gunicorn.

Failed before the fix: ``FileUpload.copy`` did not exist (AttributeError,
500) and ``FormDataIter`` refused a urlencoded form with 400."""
import http.client
import os
import urllib.parse

import pytest

from test_review4_examples import multipart
from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
import os
from microdot import Request
from microdot.multipart import FormDataIter, FileUpload

Request.max_content_length = 1024 * 1024
FileUpload.temp_dir = 'spool'
app = Microdot()


def digest(data):
    return '%d:%d' % (len(data), sum(data) % 65521)


@app.post('/gallery')
async def gallery(request):
    fields = {}
    uploads = []
    async for name, value in FormDataIter(request):
        if isinstance(value, FileUpload):
            uploads.append(await value.copy(max_memory_size=1000))
        else:
            fields[name] = value
    out = [fields.get('title', '-')]
    spooled = len(os.listdir('spool'))
    for upload in uploads:
        if upload.filename.endswith('.keep'):
            await upload.save('saved-' + upload.filename)
            with open('saved-' + upload.filename, 'rb') as f:
                out.append(upload.filename + '=' + digest(f.read()))
        else:
            out.append(upload.filename + '=' + digest(await upload.read()))
        await upload.close()
    out.append('spooled %d left %d' % (spooled, len(os.listdir('spool'))))
    return ' '.join(out)
'''


def digest(data):
    return '%d:%d' % (len(data), sum(data) % 65521)


def post(port, body, content_type):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    try:
        conn.request('POST', '/gallery', body=body,
                     headers={'Content-Type': content_type})
        res = conn.getresponse()
        return res.status, res.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize('kind', KINDS)
def test_iterated_uploads_kept_for_later(serve, kind, tmp_path):
    (tmp_path / 'spool').mkdir()
    port = serve(kind, APP).port
    small = bytes(range(250)) * 2
    big = os.urandom(50 * 1024)
    photo = os.urandom(3000)
    body, content_type = multipart(
        [('title', 'holiday')],
        [('f', 'small.bin', small), ('f', 'big.bin', big),
         ('g', 'photo.keep', photo)])
    status, text = post(port, body, content_type)
    # the two files over 1000 bytes were spooled, and close() removed them
    assert (status, text) == (200, ' '.join([
        'holiday', 'small.bin=' + digest(small), 'big.bin=' + digest(big),
        'photo.keep=' + digest(photo), 'spooled 2 left 0']))
    assert (tmp_path / 'saved-photo.keep').read_bytes() == photo
    assert os.listdir(tmp_path / 'spool') == []

    # a form that is not multipart: no parts, not an error
    status, text = post(port, urllib.parse.urlencode({'title': 'x'}),
                        'application/x-www-form-urlencoded')
    assert (status, text) == (200, '- spooled 0 left 0')
    # a multipart type without its boundary is still a bad request
    assert post(port, body, 'multipart/form-data')[0] == 400
