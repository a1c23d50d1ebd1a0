"""The live parts of the demo: a counter shared by every visitor, pushed to
browsers with Server-Sent Events, and a chat room over WebSocket.

Both are a sub-application, mounted by app.py. The chat takes the visitor's
name from ``request.g.user``, which app.py's before-request handler sets.
"""
import asyncio
import json

from microdot import Microdot
from microdot.sse import with_sse
from microdot.websocket import ConnectionClosed, with_websocket

live = Microdot()

MAX_MESSAGE = 500  # characters of one chat message


class Counter:
    """A number that many tasks can wait on: each change wakes them all."""

    def __init__(self):
        self.value = 0
        self._changed = asyncio.Event()

    def add(self, amount=1):
        self.value += amount
        # Waiters hold the old event: set it, and let new waiters use a
        # fresh one (asyncio.Event has no "pulse" of its own).
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        return self.value

    async def changed(self):
        await self._changed.wait()


counter = Counter()


@live.route('/events')
@with_sse
async def events(request, sse):
    # The current value at once, then every change, until the browser
    # goes away (the handler is then cancelled).
    while True:
        await sse.send({'value': counter.value}, event='counter')
        await counter.changed()


class ChatRoom:
    """The WebSocket connections of the chat, and broadcasting to them."""

    def __init__(self):
        self.members = []

    async def broadcast(self, message):
        text = json.dumps(message)
        for ws in list(self.members):
            try:
                await ws.send(text)
            except ConnectionClosed:
                self.leave(ws)

    def join(self, ws):
        self.members.append(ws)

    def leave(self, ws):
        if ws in self.members:
            self.members.remove(ws)


room = ChatRoom()
_guests = [0]


def _guest_name():
    _guests[0] += 1
    return 'guest-{}'.format(_guests[0])


@live.route('/ws/chat')
@with_websocket
async def chat(request, ws):
    user = getattr(request.g, 'user', None)
    name = user.name if user is not None else _guest_name()
    room.join(ws)
    try:
        await ws.send(json.dumps({'system': 'welcome, ' + name,
                                  'you': name}))
        await room.broadcast({'system': name + ' joined',
                              'members': len(room.members)})
        while True:
            text = await ws.receive()
            if isinstance(text, bytes):
                continue  # the chat is text only
            text = text.strip()[:MAX_MESSAGE]
            if text:
                await room.broadcast({'user': name, 'text': text})
    finally:
        room.leave(ws)
        await room.broadcast({'system': name + ' left',
                              'members': len(room.members)})
