#!/usr/bin/env bash
# Builds the API reference from the docstrings with pdoc into build/docs
# (open build/docs/index.html). Fails on any pdoc warning. Also lists the
# public names that have no docstring (docs/missing_docstrings.py; add
# --strict to fail on them too).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"
"$PYTHON" -c 'import pdoc' 2>/dev/null || "$PYTHON" -m pip install -q pdoc

# utemplate is not pip-installable on CPython: fetch it for microdot.utemplate
UTEMPLATE_DIR=$(bash tests/fetch_utemplate.sh)
export PYTHONPATH="$PWD/python:$UTEMPLATE_DIR"

MODULES="microdot microdot.asgi microdot.wsgi microdot.websocket microdot.sse
microdot.session microdot.login microdot.auth microdot.cors microdot.csrf
microdot.multipart microdot.jinja microdot.utemplate microdot.ssl
microdot.test_client"

rm -rf build/docs
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -W error::UserWarning: pdoc reports problems as warnings; make them fatal
if ! timeout 300 "$PYTHON" -W error::UserWarning -m pdoc \
        --docformat restructuredtext --no-show-source \
        --footer-text "microdot-c API reference" \
        -o build/docs $MODULES >"$log" 2>&1; then
    cat "$log"
    echo "docs/build.sh: pdoc failed" >&2
    exit 1
fi
if grep -qi 'warn' "$log"; then
    cat "$log"
    echo "docs/build.sh: pdoc warned" >&2
    exit 1
fi
echo "API reference: build/docs/index.html ($(find build/docs -name '*.html' | wc -l) pages)"
"$PYTHON" docs/missing_docstrings.py "$@" $MODULES
