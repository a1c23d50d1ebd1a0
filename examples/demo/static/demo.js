// The demo's browser side: the live counter (Server-Sent Events) and the chat
// (WebSocket). Each part starts only on pages that have its elements.
'use strict';

function startCounter() {
  const value = document.getElementById('counter');
  if (!value) return;
  const status = document.getElementById('counter-status');
  const events = new EventSource('/events');
  events.addEventListener('counter', (e) => {
    value.textContent = JSON.parse(e.data).value;
    status.textContent = 'live';
  });
  events.onerror = () => { status.textContent = 'reconnecting…'; };
  document.getElementById('increment').addEventListener('click', () => {
    // The new value comes back through the event stream, to every visitor.
    fetch('/api/counter', {method: 'POST'});
  });
}

function startChat() {
  const list = document.getElementById('messages');
  if (!list) return;
  const status = document.getElementById('chat-status');
  const input = document.getElementById('message');
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const ws = new WebSocket(scheme + location.host + '/ws/chat');

  function show(text, cls) {
    const item = document.createElement('li');
    item.textContent = text;  // never innerHTML: messages are untrusted
    if (cls) item.className = cls;
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  ws.onopen = () => { status.textContent = 'connected'; };
  ws.onclose = () => { status.textContent = 'disconnected'; };
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.you) document.getElementById('chat-name').textContent = msg.you;
    if (msg.members) document.getElementById('chat-members').textContent = msg.members;
    if (msg.system) show(msg.system, 'system');
    else show(msg.user + ': ' + msg.text);
  };
  document.getElementById('chat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim() && ws.readyState === WebSocket.OPEN) ws.send(input.value);
    input.value = '';
  });
}

startCounter();
startChat();
