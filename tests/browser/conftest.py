"""Fixtures of the browser tests: the demo served by a real server (CPython
with the package from python/, and MicroPython's unix port), and one
headless Chromium driven by selenium through chromedriver.

Environment: CHROMIUM (default /usr/bin/chromium), CHROMEDRIVER (default
/usr/bin/chromedriver), MICROPYTHON (default: next to the python running the
tests, else on PATH).
"""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / 'build' / 'screenshots'
START_TIMEOUT = 20  # seconds for a server to accept connections
WAIT = 10  # seconds for anything to appear on a page


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def micropython():
    here = Path(sys.executable).parent / 'micropython'
    return os.getenv('MICROPYTHON') or (str(here) if here.exists() else
                                        shutil.which('micropython'))


def start_demo(interpreter, port, log):
    env = dict(os.environ, DEMO_SECRET_KEY='browser-tests')
    if interpreter == 'cpython':
        command = [sys.executable, 'examples/demo/app.py', str(port)]
        env['PYTHONPATH'] = str(REPO / 'python')
    else:
        command = [micropython(), 'examples/demo/app.py', str(port)]
        env['MICROPYPATH'] = '{}:.frozen'.format(REPO / 'python')
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    server.wait(5)
    log.seek(0)
    pytest.fail('the demo did not start on {}:\n{}'.format(
        interpreter, log.read().decode(errors='replace')))


@pytest.fixture(scope='module', params=['cpython', 'micropython'])
def demo_url(request, tmp_path_factory):
    """The base URL of the demo, served on CPython, then on MicroPython."""
    if request.param == 'micropython' and not micropython():
        pytest.skip('micropython is not installed')
    port = free_port()
    log_path = tmp_path_factory.mktemp('demo') / 'server.log'
    with open(log_path, 'w+b') as log:
        server = start_demo(request.param, port, log)
        try:
            yield 'http://127.0.0.1:{}'.format(port)
        finally:
            server.kill()
            server.wait(5)


@pytest.fixture(scope='session')
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = os.getenv('CHROMIUM', '/usr/bin/chromium')
    for arg in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage',
                '--disable-gpu', '--window-size=1000,760'):
        options.add_argument(arg)
    service = Service(os.getenv('CHROMEDRIVER', '/usr/bin/chromedriver'))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser, demo_url, request):
    """The browser, on a fresh visit (no cookies); saves a screenshot of
    where the test ended as build/screenshots/<test>.png."""
    browser.get(demo_url + '/static/demo.css')
    browser.delete_all_cookies()
    yield browser
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace('[', '-').replace(']', '')
    assert browser.save_screenshot(str(SCREENSHOTS / (name + '.png')))
