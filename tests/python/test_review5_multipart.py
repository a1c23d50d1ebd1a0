"""review5, multipart forms as a user writes them: the upload route of the
extension's docstring, asked by a real client on every server (built-in on
CPython and MicroPython, uvicorn, gunicorn). The first test failed before
its fix."""
import hashlib
import http.client
import os
import socket

import pytest

from test_review4_examples import multipart  # (the body of a form upload)
from test_review5_support import KINDS, run_script
import test_review5_support

serve = test_review5_support.serve  # the fixture

# The guide lists request.files as "a dictionary with the file uploads
# included in the request body". A route under @with_form_data that checks
# `'file' not in request.files` got request.files None for a form posted
# without enctype="multipart/form-data" (urlencoded: a common slip, which
# the demo made too, review4) or for no body: TypeError, 500 and a
# traceback, where the user expected the route's own 400. Under
# @with_form_data, request.files is now an empty MultiDict for such
# requests (request.form stays what the core parsed: the urlencoded
# fields, or None); outside it request.files stays None (the extension
# is not used).
FILES_SCRIPT = '''
    import asyncio
    from microdot import Microdot
    from microdot.multipart import with_form_data
    from microdot.test_client import TestClient

    app = Microdot()

    @app.post('/upload')
    @with_form_data
    async def upload(request):
        if 'file' not in request.files:
            return 'choose a file', 400
        return 'got ' + request.files['file'].filename

    @app.post('/plain')
    async def plain(request):
        return str(request.files)

    async def main():
        client = TestClient(app)
        res = await client.post('/upload', data={'title': 'x'})
        print(res.status_code, res.text)
        res = await client.post('/upload', json={'title': 'x'})
        print(res.status_code, res.text)
        res = await client.post('/upload')
        print(res.status_code, res.text)
        res = await client.post('/plain', data={'title': 'x'})
        print(res.status_code, res.text)

    asyncio.run(main())
'''


@pytest.mark.parametrize('interpreter', ['cpython', 'micropython'])
def test_files_is_a_dict_for_a_form_that_is_not_multipart(interpreter,
                                                          tmp_path):
    assert run_script(interpreter, FILES_SCRIPT, tmp_path) == [
        '400 choose a file', '400 choose a file', '400 choose a file',
        '200 None']


UPLOAD_APP = '''
import binascii
import hashlib
from microdot import Request
from microdot.multipart import with_form_data, FileUpload

Request.max_content_length = 4 * 1024 * 1024
FileUpload.temp_dir = 'spool'
app = Microdot()

@app.post('/upload')
@with_form_data
async def upload(request):
    out = []
    for name in request.files:
        for upload in request.files.getlist(name):
            digest = hashlib.sha256()
            size = 0
            async for chunk in upload:
                digest.update(chunk)
                size += len(chunk)
            out.append('{}:{}:{}:{}'.format(
                name, upload.filename, size,
                binascii.hexlify(digest.digest()).decode()))
    spooled = len(os.listdir('spool'))
    return request.form['title'] + '|' + ','.join(out) + '|' + str(spooled)
'''


def post(port, body, content_type):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
    try:
        conn.request('POST', '/upload', body=body,
                     headers={'Content-Type': content_type})
        res = conn.getresponse()
        return res.status, res.read().decode()
    finally:
        conn.close()


# A file larger than FileUpload.max_memory_size is spooled to a temporary
# file and removed when the handler returns; one over
# Request.max_content_length is refused with 413 (the guide's Request
# Limits), on every server.
@pytest.mark.parametrize('kind', KINDS)
def test_large_upload_spooled_and_over_the_limit_refused(serve, kind,
                                                         tmp_path):
    (tmp_path / 'spool').mkdir()
    served = serve(kind, UPLOAD_APP)
    big = os.urandom(1024 * 1024 + 7)
    body, ctype = multipart([('title', 'holiday')],
                            [('photo', 'a.jpg', big),
                             ('photo', 'b.txt', b'small')])
    status, text = post(served.port, body, ctype)
    assert status == 200, text
    title, files, spooled = text.split('|')
    assert title == 'holiday'
    assert spooled == '1'  # the large file, while the handler ran
    assert os.listdir(str(tmp_path / 'spool')) == []  # removed after it
    expected = ['photo:a.jpg:{}:'.format(len(big)), 'photo:b.txt:5:']
    got = files.split(',')
    assert [f[:f.rfind(':') + 1] for f in got] == expected
    assert got[0].endswith(hashlib.sha256(big).hexdigest())
    # (the head and the start of the body, as curl sends with "Expect:
    # 100-continue": the server answers without reading 4 MiB it refuses)
    body, ctype = multipart([('title', 'too big')],
                            [('photo', 'c.bin', b'\0' * (4 * 1024 * 1024))])
    sock = socket.create_connection(('127.0.0.1', served.port), 10)
    try:
        sock.sendall('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: {}'
                     '\r\nContent-Length: {}\r\n\r\n'.format(
                         ctype, len(body)).encode() + body[:1000])
        answer = b''
        while b'\r\n' not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    assert answer.split(b' ')[1] == b'413', answer
