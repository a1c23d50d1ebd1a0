"""Runs the application-extension tests on MicroPython (and on CPython).

    micropython tests/mpy/app_ext_runner.py [MODULE ...]
        Imports the shared test modules of tests/python (plain-assert tests
        that pytest also runs) and calls each test_* function in them.
        Prints one line per test and ends with "N passed, N failed"; exits
        with 1 when a test failed.

    micropython tests/mpy/app_ext_runner.py serve-upload PORT DIR
        Serves the upload app on 127.0.0.1:PORT (used by
        tests/python/test_multipart_upload.py): /stream writes the uploaded
        files to DIR with FormDataIter, /form with @with_form_data,
        /memory reports memory use, /shutdown stops the server.

MICROPYPATH needs the repository's python/ directory and .frozen (asyncio);
the runner adds python/ and tests/python itself when run from anywhere.
The utemplate tests need utemplate: tests/fetch_utemplate.sh prints where
it is (MICRODOT_UTEMPLATE_DIR, default ~/.cache/microdot-test/utemplate-1.4.1).
"""
import gc
import sys

try:
    import os
except ImportError:  # pragma: no cover
    import uos as os

MODULES = ['test_session', 'test_cors', 'test_auth', 'test_login',
           'test_csrf', 'test_multipart', 'test_templates', 'test_compat_1x']


def _dirname(path):
    i = path.rfind('/')
    return '.' if i < 0 else (path[:i] or '/')


def _repo_root():
    here = _dirname(__file__)
    if not here.startswith('/'):
        here = os.getcwd() + '/' + here
    return _dirname(_dirname(here))


REPO = _repo_root()


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def setup_path():
    for path in (REPO + '/tests/python', REPO + '/python'):
        if path not in sys.path:
            sys.path.insert(0, path)
    utemplate_dir = os.getenv('MICRODOT_UTEMPLATE_DIR') or \
        (os.getenv('HOME') or '') + '/.cache/microdot-test/utemplate-1.4.1'
    if _exists(utemplate_dir + '/utemplate') and utemplate_dir not in sys.path:
        sys.path.append(utemplate_dir)


def print_exception(exc):
    if hasattr(sys, 'print_exception'):
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def run_tests(names):
    passed = failed = 0
    for module_name in names:
        try:
            module = __import__(module_name)
        except Exception as exc:
            print('FAIL {} (import)'.format(module_name))
            print_exception(exc)
            failed += 1
            continue
        for name in sorted(dir(module)):
            test = getattr(module, name)
            if not name.startswith('test_') or not callable(test):
                continue
            label = module_name + '.' + name
            try:
                test()
            except Exception as exc:
                print('FAIL ' + label)
                print_exception(exc)
                failed += 1
            else:
                print('ok   ' + label)
                passed += 1
            gc.collect()
    print('{} passed, {} failed'.format(passed, failed))
    return failed == 0


# -- the upload server ---------------------------------------------------------

def serve_upload(port, directory):
    import asyncio
    from microdot import Microdot, Request
    from microdot.multipart import FormDataIter, FileUpload, with_form_data

    Request.max_content_length = 1 << 30
    FileUpload.temp_dir = directory
    app = Microdot()
    stats = {'peak': 0, 'baseline': 0}
    try:
        import tracemalloc
    except ImportError:
        tracemalloc = None

    def sample():
        if tracemalloc is None:
            gc.collect()
            used = gc.mem_alloc()
            if used > stats['peak']:
                stats['peak'] = used

    def safe_name(filename):
        name = filename.replace('\\', '/')
        return name[name.rfind('/') + 1:] or 'unnamed'

    @app.post('/stream')
    async def stream(request):
        fields = {}
        sizes = {}
        async for name, value in FormDataIter(request):
            sample()
            if isinstance(value, FileUpload):
                size = 0
                with open(directory + '/' + safe_name(value.filename),
                          'wb') as f:
                    async for chunk in value:
                        f.write(chunk)
                        size += len(chunk)
                        sample()
                sizes[value.filename] = size
            else:
                fields[name] = value
        return {'fields': fields, 'sizes': sizes}

    @app.post('/form')
    @with_form_data
    async def form(request):
        sample()
        sizes = {}
        for name in request.files:
            for upload in request.files.getlist(name):
                sizes[upload.filename] = await upload.copy_to(
                    directory + '/' + safe_name(upload.filename))
                sample()
        fields = {}
        for name in request.form:
            fields[name] = request.form[name]
        return {'fields': fields, 'sizes': sizes}

    @app.get('/memory')
    async def memory(request):
        gc.collect()
        if tracemalloc is not None:
            current, peak = tracemalloc.get_traced_memory()
            result = {'tool': 'tracemalloc', 'current': current,
                      'peak': peak}
            try:
                import resource
                result['max_rss_kb'] = resource.getrusage(
                    resource.RUSAGE_SELF).ru_maxrss
            except ImportError:
                pass
            return result
        return {'tool': 'gc.mem_alloc', 'current': gc.mem_alloc(),
                'peak': stats['peak'], 'baseline': stats['baseline']}

    @app.post('/memory/reset')
    async def memory_reset(request):
        gc.collect()
        if tracemalloc is not None:
            tracemalloc.reset_peak()
        else:
            stats['baseline'] = stats['peak'] = gc.mem_alloc()
        return 'ok'

    @app.get('/shutdown')
    async def shutdown(request):
        request.app.shutdown()
        return 'bye'

    if tracemalloc is not None:
        tracemalloc.start()
    print('serving on', port)
    asyncio.run(app.start_server(host='127.0.0.1', port=port))


def main():
    setup_path()
    args = sys.argv[1:]
    if args and args[0] == 'serve-upload':
        serve_upload(int(args[1]), args[2])
        return
    if not run_tests(args or MODULES):
        sys.exit(1)


main()
