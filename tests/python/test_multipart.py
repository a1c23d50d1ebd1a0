"""multipart/form-data through the test client. Runs on CPython (pytest) and
on MicroPython (tests/mpy/app_ext_runner.py). The large uploads over real
sockets are in test_multipart_upload.py."""
import asyncio

try:
    import os
except ImportError:  # pragma: no cover
    import uos as os

from microdot import Microdot, Request
from microdot.multipart import FileUpload, FormDataIter, with_form_data
from microdot.test_client import TestClient

BOUNDARY = 'xXx-boundary-42'
# Data that looks like the delimiter without being it, to catch a parser
# that matches too early.
TRICKY = (b'--' + BOUNDARY.encode() + b' not at line start\r\n--' +
          BOUNDARY.encode()[:-1] + b'\r\n\r\n-\r\n--\r')


def run(coro):
    return asyncio.run(coro)


def make_temp_dir():
    try:
        import tempfile
        return tempfile.mkdtemp()
    except ImportError:  # MicroPython
        name = '/tmp/mdtest-' + ''.join(
            '{:02x}'.format(b) for b in os.urandom(6))
        os.mkdir(name)
        return name


def remove_tree(path):
    FileUpload.temp_dir = None  # form_app() pointed it at this directory
    for name in os.listdir(path):
        os.remove(path + '/' + name)
    os.rmdir(path)


def pattern(n):
    return bytes((i * 7 + i // 251) % 256 for i in range(n))


def multipart(parts, boundary=BOUNDARY, preamble=b'', epilogue=b'\r\n'):
    """parts: (name, value) for fields, (name, filename, content_type,
    data) for files."""
    b = boundary.encode()
    out = [preamble]
    for part in parts:
        out.append(b'--' + b + b'\r\n')
        if len(part) == 2:
            out.append(b'Content-Disposition: form-data; name="' +
                       part[0].encode() + b'"\r\n\r\n')
            value = part[1]
            out.append(value.encode() if isinstance(value, str) else value)
        else:
            name, filename, content_type, data = part
            out.append(b'Content-Disposition: form-data; name="' +
                       name.encode() + b'"; filename="' + filename.encode() +
                       b'"\r\n')
            if content_type:
                out.append(b'Content-Type: ' + content_type.encode() +
                           b'\r\n')
            out.append(b'\r\n')
            out.append(data)
        out.append(b'\r\n')
    out.append(b'--' + b + b'--' + epilogue)
    return b''.join(out)


def headers(boundary=BOUNDARY):
    return {'Content-Type': 'multipart/form-data; boundary=' + boundary}


def form_app(temp_dir):
    app = Microdot()
    FileUpload.temp_dir = temp_dir

    @app.post('/form')
    @with_form_data
    async def form(request):
        files = {}
        for name in request.files:
            files[name] = []
            for upload in request.files.getlist(name):
                data = await upload.read()
                files[name].append({
                    'filename': upload.filename,
                    'content_type': upload.content_type,
                    'size': len(data),
                    'ok': data == pattern(len(data)) or data == TRICKY,
                })
        fields = {}
        for name in request.form:
            fields[name] = request.form.getlist(name)
        return {'fields': fields, 'files': files,
                'temp': len(os.listdir(temp_dir))}

    @app.post('/copy')
    @with_form_data
    def copy(request):  # a sync handler: copy_to is awaited on a new loop
        return 'sync handlers get the form too: ' + request.form['name']

    @app.post('/save')
    @with_form_data
    async def save(request):
        upload = request.files['file']
        target = temp_dir + '/saved.bin'
        size = await upload.copy_to(target)
        with open(target, 'rb') as f:
            same = f.read() == pattern(size)
        os.remove(target)
        return {'size': size, 'same': same}

    return app


def test_fields_and_files():
    temp_dir = make_temp_dir()
    try:
        async def main():
            client = TestClient(form_app(temp_dir))
            body = multipart([
                ('name', 'Susan'),
                ('tags', 'a'), ('tags', 'b'),
                ('unicode', 'héllo ✓'),
                ('doc', 'a.txt', 'text/plain', pattern(100)),
                ('doc', 'b.bin', None, b''),
                ('tricky', 'x.bin', 'application/x-test', TRICKY),
            ], preamble=b'this preamble is ignored\r\n')
            res = await client.post('/form', headers=headers(), body=body)
            assert res.status_code == 200, res.text
            assert res.json['fields'] == {'name': ['Susan'],
                                          'tags': ['a', 'b'],
                                          'unicode': ['héllo ✓']}
            docs = res.json['files']['doc']
            assert docs[0] == {'filename': 'a.txt',
                               'content_type': 'text/plain', 'size': 100,
                               'ok': True}
            assert docs[1]['filename'] == 'b.bin'
            assert docs[1]['content_type'] == 'application/octet-stream'
            assert docs[1]['size'] == 0
            assert res.json['files']['tricky'] == [{
                'filename': 'x.bin', 'content_type': 'application/x-test',
                'size': len(TRICKY), 'ok': True}]
            res = await client.post('/copy', headers=headers(),
                                    body=multipart([('name', 'Joe')]))
            assert res.text == 'sync handlers get the form too: Joe'
        run(main())
    finally:
        remove_tree(temp_dir)


def test_large_files_are_spooled_and_cleaned_up():
    temp_dir = make_temp_dir()
    saved = Request.max_content_length, FileUpload.max_memory_size
    Request.max_content_length = 1024 * 1024
    FileUpload.max_memory_size = 1000
    try:
        async def main():
            client = TestClient(form_app(temp_dir))
            body = multipart([('small', 's.bin', None, pattern(999)),
                              ('big', 'b.bin', None, pattern(100000)),
                              ('big', 'c.bin', None, pattern(1001))])
            res = await client.post('/form', headers=headers(), body=body)
            assert res.status_code == 200, res.text
            assert res.json['files']['small'][0]['size'] == 999
            assert [f['size'] for f in res.json['files']['big']] == \
                [100000, 1001]
            assert all(f['ok'] for f in res.json['files']['big'])
            assert res.json['temp'] == 2  # the two big ones, during the request
            assert os.listdir(temp_dir) == []  # removed afterwards
            res = await client.post('/save', headers=headers(), body=multipart(
                [('file', 'f.bin', None, pattern(50000))]))
            assert res.json == {'size': 50000, 'same': True}
            assert os.listdir(temp_dir) == []
        run(main())
    finally:
        Request.max_content_length, FileUpload.max_memory_size = saved
        remove_tree(temp_dir)


def iter_app(log):
    app = Microdot()

    @app.post('/iter')
    async def iterate(request):
        async for name, value in FormDataIter(request):
            if isinstance(value, FileUpload):
                if name == 'skip':
                    log.append((name, 'skipped'))
                    continue
                data = bytearray()
                async for chunk in value:
                    data += chunk
                log.append((name, value.filename, len(data),
                            data == pattern(len(data)) or data == TRICKY))
            else:
                log.append((name, value))
        return 'ok'

    @app.post('/late')
    async def late(request):
        uploads = []
        async for name, value in FormDataIter(request):
            uploads.append(value)
        try:
            await uploads[0].read()
        except RuntimeError:
            return 'refused'
        return 'read a skipped upload'

    return app


def test_iteration_with_any_buffer_size():
    saved = FormDataIter.buffer_size, FileUpload.buffer_size
    body = multipart([('a', '1'), ('skip', 's.bin', None, pattern(500)),
                      ('f', 'f.bin', None, pattern(3000)),
                      ('t', 't.bin', None, TRICKY), ('b', '2'),
                      ('empty', '')])
    expected = [('a', '1'), ('skip', 'skipped'),
                ('f', 'f.bin', 3000, True),
                ('t', 't.bin', len(TRICKY), True), ('b', '2'), ('empty', '')]
    try:
        for size in (1, 2, 3, 7, 16, 61, 4096):
            FormDataIter.buffer_size = FileUpload.buffer_size = size
            log = []

            async def main():
                res = await TestClient(iter_app(log)).post(
                    '/iter', headers=headers(), body=body)
                assert res.status_code == 200, (size, res.text)
            run(main())
            assert log == expected, (size, log)
    finally:
        FormDataIter.buffer_size, FileUpload.buffer_size = saved


def test_streamed_body_over_max_body_length():
    # The body is larger than Request.max_body_length, so it only reaches
    # the app through request.stream.
    saved = Request.max_content_length
    Request.max_content_length = 1024 * 1024
    try:
        log = []
        body = multipart([('f', 'big.bin', None, pattern(60000)),
                          ('after', 'yes')])

        async def main():
            res = await TestClient(iter_app(log)).post(
                '/iter', headers=headers(), body=body)
            assert res.status_code == 200
        run(main())
        assert log == [('f', 'big.bin', 60000, True), ('after', 'yes')]
    finally:
        Request.max_content_length = saved


def test_reading_a_skipped_upload_is_an_error():
    async def main():
        res = await TestClient(iter_app([])).post(
            '/late', headers=headers(), body=multipart(
                [('f', 'f.bin', None, pattern(10)), ('x', 'y')]))
        assert res.text == 'refused'
    run(main())


def test_malformed_bodies_are_400_not_crashes():
    temp_dir = make_temp_dir()
    good = multipart([('a', '1'), ('f', 'f.bin', None, pattern(10))])
    cases = [
        (headers(), good[:-10]),  # truncated: no final boundary
        (headers(), good[:len(good) // 2]),
        (headers(), b''),
        (headers(), b'no boundary anywhere'),
        (headers('other-boundary'), good),
        (headers(), good.replace(b'Content-Disposition: form-data; ',
                                 b'Content-Disposition: attachment; ', 1)),
        (headers(), good.replace(b'name="a"', b'nom="a"', 1)),
        (headers(), good.replace(b'Content-Disposition', b'Broken header', 1)
         .replace(b': form-data', b' form-data', 1)),
        (headers(), good.replace(b'--' + BOUNDARY.encode() + b'\r\n',
                                 b'--' + BOUNDARY.encode() + b'XY', 1)),
        (headers(), multipart([('a', b'\xff\xfe')])),  # field not UTF-8
        ({'Content-Type': 'multipart/form-data'}, good),  # no boundary
        ({'Content-Type': 'multipart/form-data; boundary=' + 'b' * 71},
         good),
    ]
    try:
        async def main():
            client = TestClient(form_app(temp_dir))
            for h, body in cases:
                res = await client.post('/form', headers=h, body=body)
                assert res.status_code == 400, (h, body[:80], res.status_code)
            assert os.listdir(temp_dir) == []
        run(main())
    finally:
        remove_tree(temp_dir)


def test_limits_give_413():
    temp_dir = make_temp_dir()
    saved = FormDataIter.max_field_length, FormDataIter.max_parts
    FormDataIter.max_field_length = 100
    FormDataIter.max_parts = 5
    try:
        async def main():
            client = TestClient(form_app(temp_dir))
            res = await client.post('/form', headers=headers(),
                                    body=multipart([('a', 'x' * 101)]))
            assert res.status_code == 413
            res = await client.post('/form', headers=headers(),
                                    body=multipart([('a', 'x' * 100)]))
            assert res.status_code == 200
            res = await client.post('/form', headers=headers(), body=multipart(
                [('a', 'x')] * 6))
            assert res.status_code == 413
            res = await client.post('/form', headers=headers(), body=multipart(
                [('f', 'f.bin', None, pattern(3000))] * 6))
            assert res.status_code == 413
            assert os.listdir(temp_dir) == []
        run(main())
    finally:
        FormDataIter.max_field_length, FormDataIter.max_parts = saved
        remove_tree(temp_dir)


def test_other_content_types_pass_through():
    app = Microdot()

    @app.post('/')
    @with_form_data
    async def index(request):
        return {'form': request.form and request.form.get('a'),
                'files': request.files}

    async def main():
        client = TestClient(app)
        # (no uploads: request.files is an empty MultiDict, review5)
        res = await client.post('/', data={'a': 'urlencoded'})
        assert res.json == {'form': 'urlencoded', 'files': {}}
        res = await client.post('/', json={'a': 1})
        assert res.json == {'form': None, 'files': {}}
    run(main())


def test_quoted_parameters():
    body = (b'--q\r\nContent-Disposition: form-data; name="a;b"; '
            b'filename="we \\"quote\\" it.txt"\r\nContent-Type: text/plain'
            b'\r\n\r\nhello\r\n--q--\r\n')
    log = []

    async def main():
        app = Microdot()

        @app.post('/')
        async def index(request):
            async for name, value in FormDataIter(request):
                log.append((name, value.filename, await value.read()))
            return 'ok'

        res = await TestClient(app).post('/', body=body, headers={
            'Content-Type': 'multipart/form-data; boundary="q"'})
        assert res.status_code == 200
    run(main())
    assert log == [('a;b', 'we "quote" it.txt', b'hello')]
