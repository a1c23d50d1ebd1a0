"""Small heaps (CPython driver): the apps of the footprint bench
(bench/footprint/serving_app.py) on MicroPython's unix port with a small
heap, run from the .mpy bundle (ports/bundle/build.py) with the pure backend
and with _microdot.mpy, keep serving 4 concurrent real clients for SECONDS.
--apps picks the apps (default all three):

    both   hello + WebSocket echo: 2 HTTP clients (one keep-alive, one new
           connection per request) and 2 WebSocket echo clients
    hello  the hello app alone: 4 HTTP clients (2 keep-alive, 2 new
           connection per request)
    echo   the WebSocket echo app alone: 4 WebSocket echo clients

(WebSocket messages: 1-1000 bytes, text or binary.)

    python tests/mpy/deploy_smallheap.py [--heap 64k] [--seconds 30] [--backends pure,c] [--apps hello]
    python tests/mpy/deploy_smallheap.py --find [--seconds 3]   # smallest heap that works
    python tests/mpy/deploy_smallheap.py --romfs [...]          # bytecode in ROMFS

With --romfs the bundle (with _microdot.mpy) and the app are deployed as a
board with a ROMFS partition runs them: one ROMFS image (ports/romfs/build.py,
built with mpremote), held outside the heap by the romfs_flash native module
and mounted at /rom by ports/romfs/boot.py, so that imported bytecode runs
from the image instead of being loaded into the heap.

Closes with 'N passed, N failed' (one check per client, per server exit and
per server log, and that our server did not load the parts a plain response
does not need, microdot._respond and _serve_stream) and exits 1 on failure. --find bisects the heap size between
4 KiB and --heap for each backend and prints the smallest size that served
everything, confirmed by --confirm more runs (a run that fails there moves
the answer up 4 KiB); it is a measurement, not a test. With --find a run
takes at most about SECONDS + 10 s: the first failing client stops the
others, and the clients give up on a silent server after 3 s (10 s
without --find). `--backends upstream` runs the same app on upstream
Microdot 2.7.0 (build/footprint/upstream-mpy, made by
bench/footprint/run.py) for comparison, from the filesystem or, with
--romfs, from its own image. The bundle (and _microdot.mpy) and the images
are built into a private temporary directory for each invocation.
"""
import argparse
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from checks import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROMFS = os.path.join(ROOT, 'ports', 'romfs')
BUNDLE = os.path.join(ROOT, 'build', 'deploy', 'bundle')
NATMOD = os.path.join(ROOT, 'build', 'natmod', 'x64')
# upstream Microdot 2.7.0 as .mpy, made by bench/footprint/run.py
UPSTREAM = os.path.join(ROOT, 'build', 'footprint', 'upstream-mpy')
sys.path.insert(0, os.path.join(ROOT, 'bench', 'footprint'))
import serving  # noqa: E402  (bench/footprint/serving.py: the app, starting servers)
APP = serving.APP
# modules of our server that serving these apps must not load
LAZY_SERVER = ('microdot._respond', 'microdot._serve_stream')
# each app's 4 clients (the app: SERVING_APP)
APPS = {'both': ('keepalive-1', 'newconn-1', 'ws-1', 'ws-2'),
        'hello': ('keepalive-1', 'keepalive-2', 'newconn-1', 'newconn-2'),
        'echo': ('ws-1', 'ws-2', 'ws-3', 'ws-4')}


def parse_size(text):
    text = text.lower()
    scale = {'k': 1024, 'm': 1024 * 1024}.get(text[-1:], 1)
    return int(text.rstrip('km')) * scale


def build_bundle(out=BUNDLE):
    subprocess.check_call([sys.executable, os.path.join(ROOT, 'ports', 'bundle', 'build.py'),
                           '--out', out], stdout=subprocess.DEVNULL, timeout=120)
    return os.path.join(out, 'lib')


class Client(threading.Thread):
    def __init__(self, name, port, deadline, stop, timeout):
        super().__init__(daemon=True)
        self.name = name
        self.port = port
        self.deadline = deadline
        self.stop = stop  # set by the first client that fails
        self.timeout = timeout
        self.done = 0
        self.error = None

    def going(self):
        return time.time() < self.deadline and not self.stop.is_set()

    def run(self):
        try:
            getattr(self, 'run_' + self.name.split('-')[0])()
        except Exception as exc:
            self.error = '%s: %r' % (type(exc).__name__, exc)
            self.stop.set()

    def get(self, conn):
        conn.request('GET', '/')
        res = conn.getresponse()
        body = res.read()
        if res.status != 200 or body != b'Hello, world!':
            raise AssertionError('GET / gave %d %r' % (res.status, body[:80]))
        self.done += 1

    def run_keepalive(self):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=self.timeout)
        try:
            while self.going():
                self.get(conn)
        finally:
            conn.close()

    def run_newconn(self):
        while self.going():
            conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=self.timeout)
            try:
                self.get(conn)
            finally:
                conn.close()

    def run_ws(self):
        from websockets.sync.client import connect
        rng = random.Random(self.name)
        with connect('ws://127.0.0.1:%d/echo' % self.port, open_timeout=self.timeout,
                     close_timeout=self.timeout, compression=None) as ws:
            while self.going():
                n = rng.randint(1, 1000)
                if rng.random() < 0.5:
                    message = ''.join(chr(rng.randint(32, 0x2FF)) for _ in range(n))
                else:
                    message = rng.randbytes(n)
                ws.send(message)
                echoed = ws.recv(timeout=self.timeout)
                if echoed != message:
                    raise AssertionError('echo mismatch (%d)' % n)
                self.done += 1


def from_files(lib):
    """The servers' (script and arguments, MICROPYPATH) per backend: the app
    from source, the framework's .mpy files from lib (upstream's from
    UPSTREAM)."""
    ours = ([APP], [lib, '.frozen'])
    return {'c': ours, 'pure': ours, 'upstream': ([APP], [UPSTREAM, '.frozen'])}


def from_romfs(scratch, lib, backends):
    """The same from ROMFS images: ours (lib: the bundle and _microdot.mpy;
    the app) and upstream's (its .mpy files, the app), each with its
    romfs_flash.mpy."""
    sys.path.insert(0, ROMFS)
    import build as romfs  # ports/romfs/build.py
    boot = [os.path.join(ROMFS, 'boot.py'), 'serving_app']
    targets = {}
    for backend in backends:
        out = os.path.join(scratch, 'romfs-upstream' if backend == 'upstream' else 'romfs')
        if not os.path.exists(os.path.join(out, 'romfs_flash.mpy')):
            romfs.build(out, lib=UPSTREAM if backend == 'upstream' else lib, apps=[APP])
            print('ROMFS image for %s: %d bytes' % (
                backend, os.path.getsize(os.path.join(out, romfs.IMAGE))), flush=True)
        targets[backend] = (boot, [out, '.frozen'])
    return targets


def soak(backend, heap, seconds, target, app='both', quiet=False, timeout=10):
    """[(check name, ok, detail)] for one server run of app (a key of APPS);
    target: the server's (script and arguments, MICROPYPATH entries)."""
    script, path = target
    proc, port = serving.start(script, path, {'MICRODOT_BACKEND': backend, 'SERVING_APP': app},
                               heap, cwd=HERE)
    backend = '%s %s' % (app, backend)
    checks = []
    try:
        serving.wait_listening(proc, port)
        deadline = time.time() + seconds
        stop = threading.Event()
        clients = [Client(name, port, deadline, stop, timeout)
                   for name in APPS[app]]
        for c in clients:
            c.start()
        for c in clients:
            c.join(max(1, deadline - time.time()) + 3 * timeout)
            alive = c.is_alive()
            checks.append(('%s %s' % (backend, c.name), not alive and not c.error and c.done > 0,
                           'hung' if alive else c.error or '%d exchanges' % c.done))
        try:
            if stop.is_set():
                raise RuntimeError('not asked: a client failed')
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
            conn.request('GET', '/mem')
            mem = conn.getresponse().read().decode()
            conn.request('GET', '/shutdown')
            conn.getresponse().read()
            conn.close()
            code = proc.wait(timeout + 5)
        except Exception as exc:
            mem, code = repr(exc), None
        checks.append(('%s server exit' % backend, code == 0, 'exit %s, heap %s' % (code, mem)))
    except Exception as exc:
        checks.append(('%s server' % backend, False, repr(exc)))
    finally:
        output = serving.stop(proc)
    if os.environ.get('SMALLHEAP_LOG'):  # the whole server output, for debugging a failure
        with open(os.environ['SMALLHEAP_LOG'], 'a') as log:
            log.write('#### %s\n%s\n' % (backend, output))
    bad = [line for line in output.splitlines()
           if 'Error' in line or 'Traceback' in line]
    # micropython.mem_info() at /mem: the largest free block, in GC blocks
    largest = re.findall(r'max free sz: (\d+)', output)
    if largest:
        checks[-1] = checks[-1][:2] + ('%s, largest free block %d blocks' % (
            checks[-1][2], int(largest[-1])),)
    # the parts of our server a plain response never needs stay unloaded
    # (GET /mem's log line lists the modules)
    modules = re.findall(r'^modules: (.*)$', output, re.M)
    if modules and not backend.endswith('upstream'):
        loaded = [m for m in LAZY_SERVER if m in modules[-1].split()]
        checks.append(('%s server parts loaded on first use' % backend, not loaded,
                       'loaded: ' + ' '.join(loaded) if loaded else 'not loaded'))
    checks.append(('%s server log' % backend,
                   bool(re.search('^backend %s$' % re.escape(backend.split()[1]), output, re.M))
                   and not bad,
                   '; '.join(bad[:3]) or 'clean'))
    if not quiet:
        for name, ok, detail in checks:
            check(ok, '%s (%s)' % (name, detail))
    return checks


def works(backend, heap, seconds, target, app):
    start = time.time()
    checks = soak(backend, heap, seconds, target, app, quiet=True, timeout=3)
    failed = [name + ': ' + detail for name, ok, detail in checks if not ok]
    print('  %s %s heap %6d: %s (%.0f s)' % (app, backend, heap, 'fails, ' + failed[0] if failed
                                             else 'works', time.time() - start), flush=True)
    return not failed


def find(backend, high, seconds, target, confirm, app):
    """Smallest heap (to 1 KiB) in [4 KiB, high] where the soak passes, then
    passes `confirm` more times (4 KiB more after a failure, at most 4 times)."""
    low = 4 * 1024
    if not works(backend, high, seconds, target, app):
        return None
    while high - low > 1024:
        mid = (low + high) // 2 // 1024 * 1024
        if works(backend, mid, seconds, target, app):
            high = mid
        else:
            low = mid
    top, runs = high, 0
    while runs < confirm and high <= top + 16 * 1024:
        if works(backend, high, seconds, target, app):
            runs += 1
        else:
            high += 4 * 1024
            runs = 0
    return high if runs == confirm else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='64k')
    parser.add_argument('--seconds', type=float, default=30)
    parser.add_argument('--backends', default='pure,c')
    parser.add_argument('--apps', default='both,hello,echo',
                        help='of both, hello, echo (default all)')
    parser.add_argument('--find', action='store_true')
    parser.add_argument('--romfs', action='store_true',
                        help='deploy as ROMFS images (bytecode outside the heap)')
    parser.add_argument('--confirm', type=int, default=2,
                        help='--find: runs that must pass at the answer (default 2)')
    args = parser.parse_args()
    # a private bundle: others rebuilding build/ while a search runs must
    # not make a server fail to start
    scratch = tempfile.mkdtemp(prefix='smallheap-')
    try:
        lib = build_bundle(scratch)
        backends = args.backends.split(',')
        if 'c' in backends:
            if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
                subprocess.check_call(['make', '-s', '-C', os.path.join(ROOT, 'ports', 'natmod')])
            shutil.copy(os.path.join(NATMOD, '_microdot.mpy'), lib)
        if args.romfs:
            targets = from_romfs(scratch, lib, backends)
        else:
            targets = from_files(lib)
        run(args, targets, backends)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args, targets, backends):
    heap = parse_size(args.heap)
    apps = args.apps.split(',')
    for app in apps:
        if app not in APPS:
            sys.exit('deploy_smallheap: no app %r (of %s)' % (app, ', '.join(APPS)))
    if args.find:
        for app in apps:
            for backend in backends:
                found = find(backend, heap, args.seconds, targets[backend], args.confirm, app)
                print('%s %s: smallest heap that serves everything for %g s: %s' % (
                    app, backend, args.seconds, found), flush=True)
        return
    for app in apps:
        for backend in backends:
            start = time.time()
            soak(backend, heap, args.seconds, targets[backend], app)
            print('  (%s %s: %.1f s)' % (app, backend, time.time() - start))
    finish()


if __name__ == '__main__':
    main()
