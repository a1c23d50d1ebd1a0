"""The ceiling on MicroPython: the least an asyncio stream server can do to
answer "Hello, World!" over kept-alive HTTP/1.1 — find each blank line,
write a canned response. No parsing beyond that.

    micropython raw_mpy.py PORT"""
import asyncio
import sys

REPLY = (b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n'
         b'Content-Length: 13\r\n\r\nHello, World!')


async def serve(reader, writer):
    pending = b''
    try:
        while True:
            data = await reader.read(1024)
            if not data:
                break
            pending += data
            end = pending.find(b'\r\n\r\n')
            while end >= 0:
                pending = pending[end + 4:]
                writer.write(REPLY)
                end = pending.find(b'\r\n\r\n')
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def main(port):
    await asyncio.start_server(serve, '127.0.0.1', port, backlog=64)
    while True:
        await asyncio.sleep(3600)


asyncio.run(main(int(sys.argv[1])))
