"""The demo in a real browser (headless Chromium): the live counter over
Server-Sent Events, the chat over WebSocket, the upload form and the login,
on the demo served by CPython and by MicroPython. Each test reads what the
page shows; conftest.py saves a screenshot of each to build/screenshots/.
"""
import json
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import WAIT


def wait_for_text(driver, element_id, text):
    WebDriverWait(driver, WAIT).until(
        EC.text_to_be_present_in_element((By.ID, element_id), text),
        'no "{}" in #{}'.format(text, element_id))


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def post_json(url, data):
    request = urllib.request.Request(
        url, data=json.dumps(data).encode(), method='POST',
        headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        return json.loads(response.read())


def test_live_counter(page, demo_url):
    page.get(demo_url + '/')
    wait_for_text(page, 'counter-status', 'live')  # the event stream is open
    start = int(text_of(page, 'counter'))
    page.find_element(By.ID, 'increment').click()
    wait_for_text(page, 'counter', str(start + 1))
    # another visitor's change arrives without any action on this page
    assert post_json(demo_url + '/api/counter', {'add': 5}) == \
        {'value': start + 6}
    wait_for_text(page, 'counter', str(start + 6))


def test_chat(page, demo_url):
    page.get(demo_url + '/chat')
    wait_for_text(page, 'chat-status', 'connected')
    wait_for_text(page, 'messages', 'joined')
    me = text_of(page, 'chat-name')
    assert me.startswith('guest-')
    box = page.find_element(By.ID, 'message')
    box.send_keys('<b>hello</b> from the browser')
    page.find_element(By.ID, 'send').click()
    wait_for_text(page, 'messages', me + ': <b>hello</b> from the browser')
    # a second client, outside the browser, in the same room
    from websockets.sync.client import connect
    ws_url = demo_url.replace('http://', 'ws://') + '/ws/chat'
    with connect(ws_url, open_timeout=WAIT, close_timeout=WAIT) as ws:
        other = json.loads(ws.recv(timeout=WAIT))['you']
        wait_for_text(page, 'chat-members', '2')
        ws.send('hi from python')
        wait_for_text(page, 'messages', other + ': hi from python')
    wait_for_text(page, 'messages', other + ' left')
    assert page.find_elements(By.TAG_NAME, 'b')[0].text == me  # not HTML


def test_upload(page, demo_url, tmp_path):
    data = b'microdot-c browser test\n' * 100
    path = tmp_path / 'notes.txt'
    path.write_bytes(data)
    page.get(demo_url + '/uploads')
    page.find_element(By.NAME, 'description').send_keys('a text file')
    page.find_element(By.ID, 'file').send_keys(str(path))
    page.find_element(By.ID, 'upload').click()
    wait_for_text(page, 'upload-message', 'Saved')
    table = text_of(page, 'files')
    assert 'notes.txt' in table and 'a text file' in table
    assert '{} bytes'.format(len(data)) in table
    import hashlib
    assert hashlib.sha256(data).hexdigest()[:16] in table
    link = page.find_element(By.LINK_TEXT, 'notes.txt').get_attribute('href')
    with urllib.request.urlopen(link, timeout=WAIT) as response:
        assert response.read() == data


def test_login(page, demo_url):
    page.get(demo_url + '/account')
    assert page.current_url == demo_url + '/login?next=/account'
    page.find_element(By.ID, 'username').send_keys('susan')
    page.find_element(By.ID, 'password').send_keys('wrong')
    page.find_element(By.ID, 'sign-in').click()
    wait_for_text(page, 'login-error', 'Wrong user name or password')
    page.find_element(By.ID, 'username').send_keys('susan')
    page.find_element(By.ID, 'password').send_keys('hello')
    page.find_element(By.ID, 'sign-in').click()
    wait_for_text(page, 'account-user', 'susan')
    assert page.current_url == demo_url + '/account'
    assert text_of(page, 'nav-user') == 'susan'
    cookie = page.get_cookie('session')
    assert cookie['httpOnly'] and cookie['sameSite'] == 'Lax'
    page.find_element(By.ID, 'sign-out').click()
    wait_for_text(page, 'nav-login', 'Sign in')
    page.get(demo_url + '/account')  # the session no longer has the user
    assert page.current_url == demo_url + '/login?next=/account'


def test_home_page(page, demo_url):
    # The page the README shows: the counter live, the items listed.
    page.get(demo_url + '/')
    wait_for_text(page, 'counter-status', 'live')
    assert 'resistor' in text_of(page, 'items')
    assert text_of(page, 'engine') in ('jinja', 'plain')
