"""The ceiling: the least an asyncio.Protocol server can do to answer
"Hello, World!" over HTTP/1.1 — find each blank line, write a canned
response. No parsing beyond that. A request carrying "Connection: close" gets
a closing response and the connection is closed (the closing variant).

    python raw_protocol.py PORT"""
import asyncio
import sys

BODY = b'Hello, World!'
HEAD = (b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n'
        b'Content-Length: %d\r\n' % len(BODY))
KEEP = HEAD + b'\r\n' + BODY
CLOSE = HEAD + b'Connection: close\r\n\r\n' + BODY


class Hello(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buf = b''

    def data_received(self, data):
        buf = self.buf + data
        out = []
        while True:
            end = buf.find(b'\r\n\r\n')
            if end < 0:
                break
            head = buf[:end]
            buf = buf[end + 4:]
            if b'onnection: close' in head:
                self.transport.write(b''.join(out) + CLOSE)
                self.transport.close()
                return
            out.append(KEEP)
        self.buf = buf
        if out:
            self.transport.write(b''.join(out))


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Hello, '127.0.0.1', port, backlog=128)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1])))
