"""Switch an LED and read a button from a browser (MicroPython boards).

Copy microdot/ and this file to the board (as main.py to start on boot),
connect to the network, then open http://<board-ip>:5000.

    GET  /             a page with the LED state and buttons
    GET  /api/pins     {"led": 0/1, "button": 0/1}
    POST /api/led      {"on": true/false}, or no body to toggle

LED_PIN and BUTTON_PIN are GPIO numbers (2 is the on-board LED of many ESP32
boards; adjust them for yours). The button is wired to ground, with the
internal pull-up: pressed reads 0.

Without the ``machine`` module (CPython, MicroPython's unix port) the pins
are SIMULATED by FakePin below, so the example runs and is tested anywhere;
the page then says "simulated pins".
"""
from microdot import Microdot

LED_PIN = 2
BUTTON_PIN = 0

try:
    from machine import Pin
    SIMULATED = False
except ImportError:
    SIMULATED = True

    class Pin:
        """SIMULATED PIN, used only where there is no ``machine`` module: it
        remembers the value written to it and touches no hardware."""
        IN = 0
        OUT = 1
        PULL_UP = 1

        def __init__(self, number, mode=IN, pull=None):
            self.number = number
            self.mode = mode
            self._value = 1 if pull == Pin.PULL_UP else 0

        def value(self, v=None):
            if v is None:
                return self._value
            self._value = 1 if v else 0

        def on(self):
            self.value(1)

        def off(self):
            self.value(0)

led = Pin(LED_PIN, Pin.OUT)
button = Pin(BUTTON_PIN, Pin.IN, Pin.PULL_UP)
led.value(0)

app = Microdot()

PAGE = '''<!doctype html><meta name="viewport" content="width=device-width">
<title>GPIO</title><h1>LED is <span id="led">{state}</span></h1>
<p>Button: {button} · {mode}</p>
<form method="POST" action="/led/toggle"><button>Toggle</button></form>'''


def pins():
    return {'led': led.value(), 'button': button.value()}


@app.get('/')
async def index(request):
    return PAGE.format(
        state='on' if led.value() else 'off',
        button='pressed' if button.value() == 0 else 'released',
        mode='simulated pins' if SIMULATED else 'GPIO {} and {}'.format(
            LED_PIN, BUTTON_PIN)), {'Content-Type': 'text/html'}


@app.get('/api/pins')
async def get_pins(request):
    return pins()


@app.post('/api/led')
async def set_led(request):
    data = request.json
    if data is None:
        led.value(not led.value())
    elif isinstance(data, dict) and isinstance(data.get('on'), bool):
        led.value(data['on'])
    else:
        return {'error': 'expected {"on": true} or {"on": false}'}, 400
    return pins()


@app.post('/led/toggle')
async def toggle(request):
    # the form of the page: toggle, then back to the page
    led.value(not led.value())
    return '', 303, {'Location': '/'}


if __name__ == '__main__':
    app.run(port=5000)
