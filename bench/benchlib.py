"""What the benchmark drivers share (bench/run.py, bench/ws/run.py): server
processes pinned to one CPU with the load on the other, medians, the
machine line."""
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

# the server on one CPU, the load generator on the other (when there are two)
SERVER_CPU, LOAD_CPU = ('1', '0') if (os.cpu_count() or 1) > 1 else ('0', '0')


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """A server process pinned to SERVER_CPU, in its own process group;
    `{port}` in argv becomes a free port; output to log_dir/server-NAME.log."""

    def __init__(self, name, argv, env, cwd, log_dir):
        self.name = name
        self.port = free_port()
        self.argv = [a.replace('{port}', str(self.port)) for a in argv]
        self.env = env
        self.cwd = cwd
        self.proc = None
        self.log_path = os.path.join(log_dir, 'server-' + re.sub(
            r'[^a-z0-9]+', '-', name.lower()).strip('-') + '.log')

    def start(self):
        self.logf = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            ['taskset', '-c', SERVER_CPU] + self.argv, env=self.env,
            cwd=self.cwd, stdout=self.logf, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(('127.0.0.1', self.port), 0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        self.logf.close()


def median(values):
    """The median of the values that are not None (None if there are none)."""
    values = sorted(v for v in values if v is not None)
    n = len(values)
    if not n:
        return None
    return values[n // 2] if n % 2 else (values[n // 2 - 1] +
                                         values[n // 2]) / 2


def fmt(value, decimals=3):
    """A table cell: '-' for None, thousands separated from 1000, one
    decimal from 10, else `decimals`."""
    if value is None:
        return '-'
    if value >= 1000:
        return '{:,.0f}'.format(value)
    if value >= 10:
        return '{:.1f}'.format(value)
    return '{:.{}f}'.format(value, decimals)


def machine():
    """CPU model, cores, load average and this Python."""
    cpu = platform.processor() or ''
    try:
        with open('/proc/cpuinfo') as f:
            m = re.search(r'model name\s*:\s*(.*)', f.read())
            cpu = m.group(1) if m else cpu
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, 'getloadavg') else ()
    return '{} ({} cores), load average {}, {} {}'.format(
        cpu, os.cpu_count(), ' '.join('{:.2f}'.format(x) for x in load),
        platform.python_implementation(), platform.python_version())


# callgrind (bench/instructions.py, bench/ws/instructions.py) ---------------

def interpreter_argv(argv):
    """valgrind must start the real program: resolve pyenv shims and
    scripts (the PyPI `micropython` is a Python script that runs the port as
    an extension module) to interpreter + script."""
    path = shutil.which(argv[0]) or argv[0]
    with open(path, 'rb') as f:
        head = f.read(4096)
    if b'pyenv' in head and head.startswith(b'#!'):
        path = subprocess.run(['pyenv', 'which', os.path.basename(path)],
                              capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
        with open(path, 'rb') as f:
            head = f.read(4096)
    if head.startswith(b'#!'):
        interp = head[2:].split(b'\n', 1)[0].decode().split()
        return interp + [path] + argv[1:]
    return [path] + argv[1:]


def total_instructions(path):
    with open(path) as f:
        for line in f:
            if line.startswith(('summary:', 'totals:')):
                return int(line.split()[1])
    raise ValueError('no totals in ' + path)


def callgrind_count(name, argv, env, cwd, port, out, drive):
    """Starts the server argv under callgrind, waits for it to listen on
    port, calls drive(), stops the server with SIGINT (so its finally
    clauses run and the counts are written) and returns its total
    instructions."""
    proc = subprocess.Popen(
        ['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out] +
        interpreter_argv(argv), env=env, cwd=cwd, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 120
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(name + ' did not start')
                time.sleep(0.3)
        drive()
        time.sleep(0.5)  # the last close handled before the count stops
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return total_instructions(out)
