"""review5, the examples as a user copies them. The test failed on the
examples before their fix."""
import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = ('127.0.0.1', 'localhost', '::1')


def server_calls(tree):
    """(line, host node or None, debug node or None) of every .run() and
    .start_server() call (keyword or positional host, port, debug)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and \
                isinstance(node.func, ast.Attribute) and \
                node.func.attr in ('run', 'start_server'):
            args = dict(zip(('host', 'port', 'debug'), node.args))
            for keyword in node.keywords:
                args[keyword.arg] = keyword.value
            yield node.lineno, args.get('host'), args.get('debug')


def may_be_true(node):
    return node is not None and not (isinstance(node, ast.Constant) and
                                     not node.value)


# With debug=True the server answers an unhandled exception with its
# traceback in the 500 body (a debug error page), and app.run() listens on
# every interface by default (0.0.0.0, which a board needs). Eighteen
# examples ran with debug=True on 0.0.0.0: a user who copies one serves
# tracebacks (file paths, source lines, secrets in locals) to the whole
# network. The guide's own `debug` is "logging information to the console".
# An example may turn debug on only when it listens on the loopback
# interface alone.
def test_no_example_serves_debug_pages_to_the_network():
    unsafe = []
    for path in sorted((REPO / 'examples').rglob('*.py')):
        tree = ast.parse(path.read_text(), str(path))
        for line, host, debug in server_calls(tree):
            if not may_be_true(debug):
                continue
            if isinstance(host, ast.Constant) and host.value in LOOPBACK:
                continue
            unsafe.append('{}:{}'.format(path.relative_to(REPO), line))
    assert unsafe == []


def test_the_check_finds_what_it_looks_for():
    # the rule itself, on the forms the examples had and have
    cases = {
        'app.run(debug=True)': True,
        'app.run(port=4443, debug=True, ssl=ctx)': True,
        "app.run(port=p, debug='--debug' in sys.argv)": True,
        'await app.start_server(port=port, debug=True)': True,
        "app.run('0.0.0.0', 5000, True)": True,
        'app.run(host=host, port=port, debug=True)': True,
        "app.run(host='127.0.0.1', debug=True)": False,
        'app.run(port=5000)': False,
        'app.run(debug=False)': False,
    }
    for source, flagged in cases.items():
        calls = list(server_calls(ast.parse(source.replace('await ', ''))))
        assert len(calls) == 1
        _, host, debug = calls[0]
        loopback = isinstance(host, ast.Constant) and host.value in LOOPBACK
        assert (may_be_true(debug) and not loopback) == flagged, source
