"""A web server and a background task on one asyncio loop: the task samples
a (simulated) sensor every second while the server answers requests.

    python examples/async/sensor.py
    MICROPYPATH=python:.frozen micropython examples/async/sensor.py

    GET /              the latest reading
    GET /readings      the last readings (JSON)
    GET /wait?s=2      waits s seconds (0 to 10) without blocking anyone
    GET /together      three waits at once with asyncio.gather

Instead of app.run(), main() starts the server with ``await
app.start_server()`` next to its own task, as on a board that also reads
sensors or drives outputs.
"""
import asyncio
import math
import time

from microdot import Microdot

app = Microdot()

KEEP = 60
readings = []  # (seconds since start, value), oldest first
_started = time.time()


def read_sensor(t):
    # A stand-in for a real sensor: a slow wave around 21.5 degrees.
    return round(21.5 + 1.5 * math.sin(t / 10), 2)


def sample():
    t = int(time.time() - _started)
    readings.append((t, read_sensor(t)))
    del readings[:-KEEP]
    return readings[-1]


async def sample_forever(interval=1):
    while True:
        sample()
        await asyncio.sleep(interval)


@app.get('/')
async def latest(request):
    if not readings:
        return 'No reading yet', 503
    t, value = readings[-1]
    return '{} °C at t={} s ({} readings)'.format(value, t, len(readings))


@app.get('/readings')
async def all_readings(request):
    return [{'t': t, 'value': value} for t, value in readings]


@app.get('/wait')
async def wait(request):
    seconds = request.args.get('s', 1, type=float)
    if not 0 <= seconds <= 10:
        return 'expected 0 <= s <= 10', 400
    await asyncio.sleep(seconds)  # other requests are served meanwhile
    return 'waited {} s'.format(seconds)


@app.get('/together')
async def together(request):
    async def step(name, seconds):
        await asyncio.sleep(seconds)
        return name

    # three waits of up to 0.3 s that take 0.3 s in all, not 0.6 s
    names = await asyncio.gather(step('a', 0.1), step('b', 0.2),
                                 step('c', 0.3))
    return {'finished': list(names)}


async def main(port=5000):
    sampler = asyncio.create_task(sample_forever())
    try:
        await app.start_server(port=port)
    finally:
        sampler.cancel()


if __name__ == '__main__':
    asyncio.run(main())
