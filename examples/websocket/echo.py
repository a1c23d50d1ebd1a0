"""WebSocket echo server on the built-in server (CPython or MicroPython).

    python echo.py          then open http://localhost:5000/
"""
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()

PAGE = '''<!doctype html>
<html><body>
<input id="text" autofocus><button onclick="send()">Send</button>
<pre id="log"></pre>
<script>
const ws = new WebSocket('ws://' + location.host + '/echo');
const log = (line) => document.getElementById('log').textContent += line + '\\n';
ws.onmessage = (event) => log('< ' + event.data);
ws.onclose = (event) => log('closed ' + event.code);
function send() {
  const text = document.getElementById('text');
  log('> ' + text.value);
  ws.send(text.value);
  text.value = '';
}
</script>
</body></html>
'''


@app.route('/')
async def index(request):
    return PAGE, 200, {'Content-Type': 'text/html'}


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        message = await ws.receive()
        await ws.send(message)


if __name__ == '__main__':
    app.run()
