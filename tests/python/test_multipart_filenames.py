"""multipart: a part's filename as the browser sent it. In a quoted
parameter a backslash escapes only a quote or a backslash, so a Windows
path (old browsers sent the whole path) keeps its backslashes, while an
escaped quote is unescaped; on CPython and MicroPython alike."""
import pytest

from test_review5_support import run_script

SCRIPT = r'''
import asyncio
from microdot import Microdot
from microdot.multipart import with_form_data
from microdot.test_client import TestClient

app = Microdot()


@app.post('/up')
@with_form_data
async def up(request):
    return request.files['f'].filename + '|' + request.form['note']


def body(disposition):
    return (b'--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
            b'--XyZ\r\nContent-Disposition: form-data; name="f"; ' + disposition +
            b'\r\nContent-Type: text/plain\r\n\r\ndata\r\n--XyZ--\r\n')


async def main():
    client = TestClient(app)
    for disposition in (b'filename="C:\\dir\\x.txt"', b'filename="a \\"q\\".txt"',
                        b'filename="back\\\\slash.txt"', b'filename=plain.txt'):
        res = await client.post('/up', body=body(disposition), headers={
            'Content-Type': 'multipart/form-data; boundary=XyZ'})
        print(res.status_code, res.text)

asyncio.run(main())
'''


@pytest.mark.parametrize('interpreter', ['cpython', 'micropython'])
def test_filenames_as_sent(interpreter, tmp_path):
    assert run_script(interpreter, SCRIPT, tmp_path)[-4:] == [
        '200 C:\\dir\\x.txt|hi',
        '200 a "q".txt|hi',
        '200 back\\slash.txt|hi',
        '200 plain.txt|hi',
    ]
