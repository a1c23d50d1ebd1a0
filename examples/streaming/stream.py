"""A live image stream, as IP cameras and ESP32-CAM boards serve it: one
never-ending ``multipart/x-mixed-replace`` response in which each part is a
new frame. Browsers show it in a plain ``<img>`` tag, replacing the image as
each frame arrives (the "MJPEG" way; the frames here are PNG, see frames.py).

    cd examples/streaming && python stream.py
    cd examples/streaming && MICROPYPATH=../../python:.frozen micropython stream.py

    GET /                 a page showing the stream
    GET /stream           the stream (?fps=1..25, ?frames=N to stop after N)
    GET /frame.png        one frame
"""
import asyncio

from microdot import Microdot

from frames import frame

BOUNDARY = 'frame'
app = Microdot()


class FrameStream:
    """The response body: an async iterator of multipart parts (a class, as
    MicroPython has no async generators)."""

    def __init__(self, fps, frames=None):
        self.delay = 1 / fps
        self.frames = frames
        self.count = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.frames is not None and self.count >= self.frames:
            raise StopAsyncIteration
        if self.count:
            await asyncio.sleep(self.delay)
        image = frame(self.count)
        self.count += 1
        return (b'--' + BOUNDARY.encode() + b'\r\n'
                b'Content-Type: image/png\r\n'
                b'Content-Length: ' + str(len(image)).encode() + b'\r\n\r\n' +
                image + b'\r\n')


@app.get('/')
async def index(request):
    return '''<!doctype html><title>Stream</title>
<h1>A live stream</h1><img src="/stream" width="384" height="128"
alt="stream" style="image-rendering: pixelated">''', \
        {'Content-Type': 'text/html; charset=UTF-8'}


@app.get('/stream')
async def stream(request):
    fps = request.args.get('fps', 10, type=int)
    frames = request.args.get('frames', None, type=int)
    if not 1 <= fps <= 25 or (frames is not None and frames < 1):
        return 'expected 1 <= fps <= 25 and frames >= 1', 400
    return FrameStream(fps, frames), {
        'Content-Type': 'multipart/x-mixed-replace; boundary=' + BOUNDARY,
        'Cache-Control': 'no-cache'}


@app.get('/frame.png')
async def single_frame(request):
    return frame(0), {'Content-Type': 'image/png'}


if __name__ == '__main__':
    app.run()
