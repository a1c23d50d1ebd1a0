"""CSRF protection (microdot.csrf): unsafe requests from pages of other
sites are refused with 403; the browser's Sec-Fetch-Site/Origin headers
tell where a request comes from, so forms need no hidden token.

    python examples/csrf/csrf.py
    curl -X POST -H 'Origin: https://evil.example' http://localhost:5000/
"""
from microdot import Microdot, Response
from microdot.cors import CORS
from microdot.csrf import CSRF

app = Microdot()
cors = CORS(app, allowed_origins=['https://admin.example.com'])
csrf = CSRF(app, cors)
Response.default_content_type = 'text/html'
counter = {'value': 0}


@app.route('/', methods=['GET', 'POST'])
async def index(request):
    if request.method == 'POST':
        counter['value'] += 1
    return '''<p>Counter: {}</p>
<form method="POST"><button>Increment</button></form>'''.format(
        counter['value'])


@app.post('/webhook')
@csrf.exempt
async def webhook(request):
    return 'Webhooks come from servers, not browsers: not checked.'


if __name__ == '__main__':
    app.run()
