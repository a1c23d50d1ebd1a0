"""A server script run in a subprocess (e.g. an example on MicroPython's
unix port), for the tests that start their own command rather than a
tests/apps app (servers.py does those): start it, wait until it accepts,
ask it over HTTP, stop it. Every wait is bounded."""
import http.client
import socket
import subprocess
import time

START_TIMEOUT = 20


def start_server(command, env, port, cwd):
    """Starts command (output piped) and waits until 127.0.0.1:port accepts;
    raises RuntimeError with the output if it exits or does not start."""
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + START_TIMEOUT
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return proc
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError('server did not start: ' + stop(proc))
            time.sleep(0.05)


def stop(proc):
    """Kills the process if it still runs; returns its output."""
    if proc.poll() is None:
        proc.kill()
    proc.wait(5)
    output = proc.stdout.read().decode(errors='replace')
    proc.stdout.close()
    return output


def http_get(port, path, headers=None):
    """(status, headers as a dict, body) of one GET on a new connection."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request('GET', path, headers=headers or {})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        conn.close()
