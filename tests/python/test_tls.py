"""TLS: microdot.ssl.create_ssl_context and run(ssl=...) with a certificate
made for the test, checked by real TLS clients (httpx, websockets over
wss), on CPython with PEM files and on MicroPython with DER files."""
import datetime
import ipaddress
import ssl

import pytest

httpx = pytest.importorskip('httpx')
ws_client = pytest.importorskip('websockets.sync.client')
x509 = pytest.importorskip('cryptography.x509')
from cryptography.hazmat.primitives import hashes, serialization  # noqa
from cryptography.hazmat.primitives.asymmetric import ec  # noqa
from cryptography.x509.oid import NameOID  # noqa

from microdot.ssl import create_ssl_context  # noqa: E402
from ext_servers import serve  # noqa: E402


@pytest.fixture(scope='module')
def cert_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, as PEM and DER files."""
    path = tmp_path_factory.mktemp('tls')
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
    files = {}
    for kind, encoding in (('pem', serialization.Encoding.PEM),
                           ('der', serialization.Encoding.DER)):
        files['cert.' + kind] = cert.public_bytes(encoding)
        files['key.' + kind] = key.private_bytes(
            encoding, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
    for filename, data in files.items():
        (path / filename).write_bytes(data)
    return path


def client_context(cert_files):
    context = ssl.create_default_context(cafile=str(cert_files / 'cert.pem'))
    return context


def test_create_ssl_context_is_a_standard_context(cert_files):
    context = create_ssl_context(str(cert_files / 'cert.pem'),
                                 str(cert_files / 'key.pem'))
    assert isinstance(context, ssl.SSLContext)
    assert context.protocol == ssl.PROTOCOL_TLS_SERVER


def test_create_ssl_context_bad_files(cert_files):
    with pytest.raises((ssl.SSLError, OSError)):
        create_ssl_context(str(cert_files / 'key.pem'),
                           str(cert_files / 'cert.pem'))


@pytest.fixture(scope='module', params=['builtin', 'micropython'])
def server(request, cert_files):
    kind = 'der' if request.param == 'micropython' else 'pem'
    proc = serve(request.param,
                 MICRODOT_TEST_CERT=cert_files / ('cert.' + kind),
                 MICRODOT_TEST_KEY=cert_files / ('key.' + kind))
    yield proc
    proc.stop()


def test_https_requests(server, cert_files):
    url = 'https://127.0.0.1:{}'.format(server.port)
    with httpx.Client(verify=client_context(cert_files), timeout=10) as c:
        res = c.get(url + '/')
        assert res.status_code == 200
        assert res.text == 'hello from microdot'
        body = bytes(range(256)) * 200
        assert c.post(url + '/echo-body', content=body).content == body


def test_plain_http_is_not_served(server):
    with pytest.raises(httpx.HTTPError):
        httpx.get(server.url + '/', timeout=5)


def test_websocket_over_tls(server, cert_files):
    url = 'wss://127.0.0.1:{}/ws'.format(server.port)
    with ws_client.connect(url, ssl=client_context(cert_files),
                           open_timeout=10, close_timeout=5) as ws:
        ws.send('secure')
        assert ws.recv(10) == 'secure'
        ws.send(b'\x01' * 100000)
        assert ws.recv(10) == b'\x01' * 100000
