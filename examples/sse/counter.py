"""Server-Sent Events: a counter that ticks once a second.

    python counter.py       then open http://localhost:5000/
"""
import asyncio

from microdot import Microdot
from microdot.sse import with_sse

app = Microdot()

PAGE = '''<!doctype html>
<html><body><pre id="log"></pre>
<script>
const events = new EventSource('/ticks');
events.addEventListener('tick', (event) => {
  document.getElementById('log').textContent += event.data + '\\n';
});
</script>
</body></html>
'''


@app.route('/')
async def index(request):
    return PAGE, 200, {'Content-Type': 'text/html'}


@app.route('/ticks')
@with_sse
async def ticks(request, sse):
    count = 0
    while True:  # cancelled when the browser goes away
        count += 1
        await sse.send({'count': count}, event='tick', event_id=count)
        await asyncio.sleep(1)


if __name__ == '__main__':
    app.run()
