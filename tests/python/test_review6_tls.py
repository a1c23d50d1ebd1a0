"""review6, HTTPS as the guide's "HTTPS Support" sets it up
(``create_ssl_context`` and ``app.run(ssl=...)``, PEM files on CPython, DER
on MicroPython) with what a real app sends through it: several requests
on one kept-alive connection, a streamed response and a file of some
megabytes (many TLS records, partial writes), an upload read from
``request.stream``, Server-Sent Events; and clients that do not complete
a TLS session (plain HTTP, a bare connect and close, a truncated
ClientHello, a client that refuses the certificate), after which the
server still serves. Built-in server on CPython and MicroPython's unix
port, asked with httpx."""
import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time

import pytest

from servers import free_port, micropython_command, natmod_dir, SOURCE

httpx = pytest.importorskip('httpx')
x509 = pytest.importorskip('cryptography.x509')
from cryptography.hazmat.primitives import hashes, serialization  # noqa
from cryptography.hazmat.primitives.asymmetric import ec  # noqa
from cryptography.x509.oid import NameOID  # noqa

APP = '''
import sys
import asyncio
from microdot import Microdot, Request, send_file
from microdot.sse import with_sse
from microdot.ssl import create_ssl_context

Request.max_content_length = 4 * 1024 * 1024
app = Microdot()


@app.get('/')
async def index(request):
    return 'secure hello'


@app.get('/stream')
async def stream(request):
    def pieces():
        for i in range(256):
            yield bytes([i]) * 4096
    return pieces()


@app.get('/file')
async def file(request):
    return send_file('big.bin')


@app.post('/upload')
async def upload(request):
    size = 0
    total = 0
    while True:
        chunk = await request.stream.read(5000)
        if not chunk:
            break
        size += len(chunk)
        total = (total + sum(chunk)) % 65521
    return '%d %d' % (size, total)


@app.get('/events')
@with_sse
async def events(request, sse):
    for i in range(3):
        await sse.send('e%d' % i, event_id=i)
        await asyncio.sleep(0.01)


kind = sys.argv[2]
app.run(host='127.0.0.1', port=int(sys.argv[1]),
        ssl=create_ssl_context('cert.' + kind, 'key.' + kind))
'''


@pytest.fixture(scope='module')
def workdir(tmp_path_factory):
    """app.py, a self-signed certificate for 127.0.0.1 (PEM and DER) and a
    3 MB file."""
    path = tmp_path_factory.mktemp('tls6')
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .sign(key, hashes.SHA256()))
    for kind, encoding in (('pem', serialization.Encoding.PEM),
                           ('der', serialization.Encoding.DER)):
        (path / ('cert.' + kind)).write_bytes(cert.public_bytes(encoding))
        (path / ('key.' + kind)).write_bytes(key.private_bytes(
            encoding, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    (path / 'big.bin').write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (path / 'app.py').write_text(APP)
    return path


@pytest.fixture(params=['cpython', 'micropython'])
def server(request, workdir):
    """(interpreter, port) of the app serving HTTPS."""
    port = free_port()
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    if request.param == 'micropython':
        paths = [str(SOURCE)]
        if natmod_dir() is not None:
            paths.append(str(natmod_dir()))
        env['MICROPYPATH'] = ':'.join(paths + ['.frozen'])
        cmd = [micropython_command(), 'app.py', str(port), 'der']
    else:
        env['PYTHONPATH'] = str(SOURCE)
        cmd = [sys.executable, 'app.py', str(port), 'pem']
    proc = subprocess.Popen(cmd, cwd=str(workdir), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError('the server did not start')
                time.sleep(0.05)
        yield request.param, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        proc.wait(10)
        proc.stdout.close()


def checksum(data):
    return '%d %d' % (len(data), sum(data) % 65521)


def test_https_app(server, workdir):
    interpreter, port = server
    url = 'https://127.0.0.1:{}'.format(port)
    context = ssl.create_default_context(cafile=str(workdir / 'cert.pem'))
    big = (workdir / 'big.bin').read_bytes()
    # (MicroPython reads TLS slowly: a smaller upload there)
    upload = big if interpreter == 'cpython' else big[:512 * 1024]
    with httpx.Client(verify=context, timeout=60) as client:
        # one connection, kept alive, for all of these
        assert [client.get(url + '/').text for _ in range(3)] == \
            ['secure hello'] * 3
        res = client.get(url + '/stream')
        assert res.status_code == 200
        assert res.content == b''.join(bytes([i]) * 4096
                                       for i in range(256))
        res = client.get(url + '/file')
        assert res.headers['Content-Length'] == str(len(big))
        assert res.content == big
        res = client.post(url + '/upload', content=upload)
        assert res.text == checksum(upload)
        res = client.get(url + '/events')
        assert res.headers['Content-Type'] == 'text/event-stream'
        assert res.text == ''.join(
            'id: {0}\ndata: e{0}\n\n'.format(i) for i in range(3))

    # clients that never make a TLS session
    with socket.create_connection(('127.0.0.1', port), 10) as sock:
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')  # plain HTTP
        sock.settimeout(2)
        try:
            answer = sock.recv(100)
        except socket.timeout:
            answer = b''  # (MicroPython's TLS waits for a whole record)
        assert b'secure hello' not in answer
    for _ in range(3):
        socket.create_connection(('127.0.0.1', port), 10).close()
    with socket.create_connection(('127.0.0.1', port), 10) as sock:
        sock.sendall(b'\x16\x03\x01\x00\xff\x01')  # a ClientHello cut short
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + '/', verify=ssl.create_default_context(), timeout=10)

    # and the server still serves, on new connections
    with httpx.Client(verify=context, timeout=30) as client:
        assert client.get(url + '/').text == 'secure hello'
        assert client.post(url + '/upload', content=b'abc').text == \
            checksum(b'abc')
