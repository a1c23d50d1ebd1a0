"""The anchor for CPython: the `websockets` library's own asyncio server
echoing every message (no compression, the same message size limit as ours).

    python websockets_echo.py PORT
"""
import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main(port):
    async with serve(echo, '127.0.0.1', port, compression=None,
                     max_size=1 << 20) as server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1])))
