"""Large multipart uploads over real sockets, with bounded server memory.

The server (tests/mpy/app_ext_runner.py serve-upload) runs in a subprocess:
CPython with tracemalloc on (50 MB uploads), or the MicroPython unix port
with a small heap (1 MB uploads into a 256 KB heap, so an upload held in
memory would fail). httpx sends a generated body with a Content-Length, so
the client never holds the upload either. The measured peaks are printed
(run pytest with -s to see them)."""
import hashlib
import os
import socket
import subprocess
import time

import httpx
import pytest

from servers import REPO, free_port, target_command

RUNNER = REPO / 'tests' / 'mpy' / 'app_ext_runner.py'
BOUNDARY = 'upload-boundary-7MA4YWxkTrZu0gW'
CHUNK = 64 * 1024
MP_HEAP = '256k'


def pattern_chunks(size, seed):
    """Deterministic pseudo-random data, CHUNK bytes at a time."""
    block = hashlib.sha256(seed.encode()).digest() * (CHUNK // 32)
    sent = 0
    counter = 0
    while sent < size:
        n = min(CHUNK, size - sent)
        # vary every chunk so that misplaced chunks are detected
        yield counter.to_bytes(4, 'big') + block[4:n] if n > 4 else block[:n]
        sent += n
        counter += 1


def multipart_stream(files, fields):
    """(generator of the body, its length, sha256 per file name)."""
    parts = []
    length = 0
    for name, value in fields.items():
        head = ('--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n'
                '{}\r\n').format(BOUNDARY, name, value).encode()
        parts.append((head, None, 0))
        length += len(head)
    digests = {}
    for filename, size in files.items():
        head = ('--{}\r\nContent-Disposition: form-data; name="file"; '
                'filename="{}"\r\nContent-Type: application/octet-stream'
                '\r\n\r\n').format(BOUNDARY, filename).encode()
        digest = hashlib.sha256()
        for chunk in pattern_chunks(size, filename):
            digest.update(chunk)
        digests[filename] = digest.hexdigest()
        parts.append((head, filename, size))
        length += len(head) + size + 2
    tail = '--{}--\r\n'.format(BOUNDARY).encode()
    length += len(tail)

    def generate():
        for head, filename, size in parts:
            yield head
            if filename is not None:
                yield from pattern_chunks(size, filename)
                yield b'\r\n'
        yield tail

    return generate(), length, digests


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


class UploadServer:
    def __init__(self, target, directory):
        cmd, env = target_command(target)
        if target.startswith('micropython'):
            cmd = cmd + ['-X', 'heapsize=' + MP_HEAP]
        self.port = free_port()
        self.log = open(directory / 'server.log', 'wb')
        self.proc = subprocess.Popen(
            cmd + [str(RUNNER), 'serve-upload', str(self.port),
                   str(directory / 'files')],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT)
        self.url = 'http://127.0.0.1:{}'.format(self.port)
        self.log_path = directory / 'server.log'
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError('upload server did not start:\n' + self.output())

    def output(self):
        return self.log_path.read_text(errors='replace')[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


@pytest.fixture(params=['cpython', 'micropython-pure', 'micropython-c'])
def upload_server(request, tmp_path):
    (tmp_path / 'files').mkdir()
    server = UploadServer(request.param, tmp_path)
    server.target = request.param
    yield server
    alive = server.proc.poll() is None
    server.stop()
    assert alive, 'the server died:\n' + server.output()


def upload(server, route, files, fields):
    body, length, digests = multipart_stream(files, fields)
    with httpx.Client(timeout=120) as client:
        client.post(server.url + '/memory/reset').raise_for_status()
        res = client.post(server.url + route, content=body, headers={
            'Content-Type': 'multipart/form-data; boundary=' + BOUNDARY,
            'Content-Length': str(length)})
        assert res.status_code == 200, (res.status_code, res.text,
                                        server.output())
        memory = client.get(server.url + '/memory').json()
    return res.json(), digests, memory


def sizes_for(target):
    if target == 'cpython':
        return {'big.bin': 50 * 1024 * 1024, 'small.txt': 1000}
    return {'big.bin': 1024 * 1024, 'small.txt': 1000}


@pytest.mark.parametrize('route', ['/stream', '/form'])
def test_large_upload_with_bounded_memory(upload_server, tmp_path, route):
    files = sizes_for(upload_server.target)
    result, digests, memory = upload(upload_server, route, files,
                                     {'title': 'a big one', 'n': '2'})
    assert result['fields'] == {'title': 'a big one', 'n': '2'}
    assert result['sizes'] == files
    for filename in files:
        assert file_sha256(tmp_path / 'files' / filename) == \
            digests[filename], filename
    # no spooled temporary file is left behind
    assert sorted(os.listdir(tmp_path / 'files')) == sorted(files)
    total = sum(files.values())
    print('\n[upload] {} {}: {:.1f} MB, peak {} = {:.0f} KB{}'.format(
        upload_server.target, route, total / 1e6, memory['tool'],
        memory['peak'] / 1024,
        ', max RSS {:.1f} MB'.format(memory['max_rss_kb'] / 1024)
        if 'max_rss_kb' in memory else ''))
    if memory['tool'] == 'tracemalloc':
        # what Python allocated at once during the upload: a few buffers
        assert memory['peak'] < 4 * 1024 * 1024, memory
    else:
        # the whole MicroPython heap is MP_HEAP: the server survived a
        # 1 MB upload, and its heap in use stayed well below that
        assert memory['peak'] < 200 * 1024, memory


def test_truncated_upload_is_rejected_and_server_survives(upload_server):
    body, length, digests = multipart_stream({'cut.bin': 100000}, {})
    data = b''.join(body)[:-20]
    with socket.create_connection(('127.0.0.1', upload_server.port),
                                  timeout=30) as sock:
        sock.sendall(('POST /stream HTTP/1.1\r\nHost: x\r\nContent-Type: '
                      'multipart/form-data; boundary={}\r\nContent-Length: '
                      '{}\r\nConnection: close\r\n\r\n').format(
                          BOUNDARY, len(data)).encode() + data)
        reply = b''
        while b'\r\n' not in reply:  # the status line is all we need
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b'HTTP/1.1 400'), reply[:200]
    with httpx.Client(timeout=30) as client:
        assert client.get(upload_server.url + '/memory').status_code == 200
