// microdot._cbuild: CPython-only builders of Request.headers, .args and
// .cookies (microdot/_cpython.py), and of a parsed head's strings, or the
// whole of parse_request (microdot/_cffi.py), written against the CPython
// C API.
//
// cffi cannot make Python objects in C: through it, a dict of a few strings
// costs a text, a decode, a split and a zip (about as much as a cffi call).
// Here each builder makes only the strings and the dict it returns. Each
// handles the plain case and answers None for anything else (not an exact
// str, not ASCII, a part that the general rules would treat otherwise), so
// the caller's general Python path keeps every rule in one place.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "md_pack.h"

// The ASCII bytes of s, or NULL when s is not an exact, ASCII str.
static const char *ascii_of(PyObject *s, Py_ssize_t *len) {
    if (!PyUnicode_CheckExact(s)) {
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0) {
        PyErr_Clear();
        return NULL;
    }
#endif
    if (!PyUnicode_IS_ASCII(s)) {
        return NULL;
    }
    *len = PyUnicode_GET_LENGTH(s);
    return (const char *)PyUnicode_DATA(s);
}

// Adds name=value (the part p[0:len) with its only '=' at eq) to d.
static int put_pair(PyObject *d, const char *p, Py_ssize_t len, Py_ssize_t eq) {
    PyObject *name = PyUnicode_FromStringAndSize(p, eq);
    if (name == NULL) {
        return -1;
    }
    PyObject *value = PyUnicode_FromStringAndSize(p + eq + 1, len - eq - 1);
    if (value == NULL) {
        Py_DECREF(name);
        return -1;
    }
    int r = PyDict_SetItem(d, name, value);
    Py_DECREF(name);
    Py_DECREF(value);
    return r;
}

// Whether c is one of the bytes of the NUL-terminated `bad`.
static int is_bad(const char *bad, char c) {
    for (; *bad != '\0'; bad++) {
        if (*bad == c) {
            return 1;
        }
    }
    return 0;
}

// Splits p[0:len) into d: parts separated by `sep` (followed by a space when
// `space`), each holding exactly one '=' and none of the bytes in `bad`.
// Returns 1 when done, 0 when the text is not such a list, -1 on error.
// A name given twice also answers 0 (d then has fewer keys than parts).
static int split_pairs(PyObject *d, const char *p, Py_ssize_t len, char sep,
    int space, const char *bad) {
    Py_ssize_t parts = 0;
    Py_ssize_t start = 0;
    while (start <= len) {
        Py_ssize_t eq = -1;
        Py_ssize_t i = start;
        for (; i < len && p[i] != sep; i++) {
            if (p[i] == '=') {
                if (eq >= 0) {
                    return 0;
                }
                eq = i - start;
            } else if (is_bad(bad, p[i])) {
                return 0;
            }
        }
        if (eq < 0) {  // (an empty part has none)
            return 0;
        }
        if (put_pair(d, p + start, i - start, eq) < 0) {
            return -1;
        }
        parts++;
        if (i == len) {
            break;
        }
        start = i + 1;  // past the separator
        if (space) {
            if (start >= len || p[start] != ' ') {
                return 0;
            }
            start++;
        }
    }
    return PyDict_GET_SIZE(d) == parts;
}

// d (new, or NULL with an exception set) filled by split_pairs, or None
// when the text is not plain (d dropped); NULL on error.
static PyObject *pairs_or_none(PyObject *d, const char *p, Py_ssize_t len,
    char sep, int space, const char *bad) {
    if (d == NULL) {
        return NULL;
    }
    int r = split_pairs(d, p, len, sep, space, bad);
    if (r > 0) {
        return d;
    }
    Py_DECREF(d);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

// cookies(header) -> dict or None: a plain browser Cookie value ("a=1; b=2":
// parts separated by "; ", each with exactly one '=', no other ';', space or
// tab, no name twice), as the general rules would split it.
static PyObject *cookies(PyObject *self, PyObject *header) {
    (void)self;
    Py_ssize_t len;
    const char *p = ascii_of(header, &len);
    if (p == NULL || len == 0) {
        Py_RETURN_NONE;
    }
    return pairs_or_none(PyDict_New(), p, len, ';', 1, " \t");
}

// A new, empty instance of the dict (sub)class cls, made as dict.__new__(cls)
// makes it: without calling its __init__. NULL with an exception set when
// cls is not a dict type.
static PyObject *new_dict(PyObject *cls) {
    if (!PyType_Check(cls)
        || !PyType_IsSubtype((PyTypeObject *)cls, &PyDict_Type)) {
        PyErr_SetString(PyExc_TypeError, "need a dict type");
        return NULL;
    }
    PyObject *empty = PyTuple_New(0);
    if (empty == NULL) {
        return NULL;
    }
    PyObject *d = PyDict_Type.tp_new((PyTypeObject *)cls, empty, NULL);
    Py_DECREF(empty);
    return d;
}

// args(cls, query) -> a new cls (a dict subclass, made without calling its
// __init__) or None: a plain query ("a=1&b=2": parts separated by single
// '&', each with exactly one '=', no '%' or '+', no name twice), which has
// nothing to decode.
static PyObject *args(PyObject *self, PyObject *const *argv, Py_ssize_t argc) {
    (void)self;
    if (argc != 2) {
        PyErr_SetString(PyExc_TypeError, "args(dict type, query)");
        return NULL;
    }
    Py_ssize_t len;
    const char *p = ascii_of(argv[1], &len);
    if (p == NULL || len == 0) {
        Py_RETURN_NONE;
    }
    return pairs_or_none(new_dict(argv[0]), p, len, '&', 0, "%+");
}

// fill(cls, flat) -> a new cls (a dict subclass, made without calling its
// __init__) holding the pairs of the list flat, [name, value, ...], put in
// in order, a later name replacing an earlier equal one: as
// d.update(zip(it, it)) for it = iter(flat) (an odd last item is left out,
// as zip does).
static PyObject *fill(PyObject *self, PyObject *const *argv, Py_ssize_t argc) {
    (void)self;
    if (argc != 2 || !PyList_Check(argv[1])) {
        PyErr_SetString(PyExc_TypeError, "fill(dict type, list)");
        return NULL;
    }
    PyObject *flat = argv[1];
    PyObject *d = new_dict(argv[0]);
    if (d == NULL) {
        return NULL;
    }
    // (a key's __eq__ may change the list: its size is read every time)
    for (Py_ssize_t i = 0; i + 1 < PyList_GET_SIZE(flat); i += 2) {
        PyObject *name = PyList_GET_ITEM(flat, i);
        PyObject *value = PyList_GET_ITEM(flat, i + 1);
        Py_INCREF(name);
        Py_INCREF(value);
        int r = PyDict_SetItem(d, name, value);
        Py_DECREF(name);
        Py_DECREF(value);
        if (r < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

// The count strings of the '\n'-separated text p[0:len) into out. Returns
// 0, or -1 on error (the strings made so far in out, the others NULL).
static int pieces(const char *p, size_t len, Py_ssize_t count,
    PyObject **out) {
    const char *s = p;
    const char *end = p + len;
    for (Py_ssize_t i = 0; i < count; i++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl != NULL ? nl : end;
        out[i] = PyUnicode_DecodeUTF8(s, e - s, NULL);
        if (out[i] == NULL) {
            return -1;
        }
        s = e + 1;
    }
    return 0;
}

// The (method, path, query, headers) of a head from its pieces (method,
// path and query last; `names` None or the slot's [name0, None, ...]);
// NULL on error. Takes the pieces' references.
static PyObject *head_tuple(PyObject **all, Py_ssize_t fields,
    PyObject *names) {
    PyObject *headers = PyList_New(names == Py_None ? fields : 2 * fields);
    PyObject *result = headers != NULL ? PyTuple_New(4) : NULL;
    if (result == NULL) {
        Py_XDECREF(headers);
        for (Py_ssize_t i = 0; i < fields + 3; i++) {
            Py_DECREF(all[i]);
        }
        return NULL;
    }
    for (Py_ssize_t i = 0; i < fields; i++) {
        if (names == Py_None) {
            PyList_SET_ITEM(headers, i, all[i]);
        } else {
            PyObject *name = PyList_GET_ITEM(names, 2 * i);
            Py_INCREF(name);
            PyList_SET_ITEM(headers, 2 * i, name);
            PyList_SET_ITEM(headers, 2 * i + 1, all[i]);
        }
    }
    PyTuple_SET_ITEM(result, 0, all[fields]);
    PyTuple_SET_ITEM(result, 1, all[fields + 1]);
    PyTuple_SET_ITEM(result, 2, all[fields + 2]);
    PyTuple_SET_ITEM(result, 3, headers);
    return result;
}

// parse_request: _cffi.parse_request in one call ------------------------------
//
// md_pack_request (md_pack.c, compiled into this module too) parses the head
// into the text (md_pack.h), whose strings are made here. The
// scratches are this module's (static, grown when a head needs more, which
// only an unusual head does); the GIL is held throughout, except that making
// a string may run a finalizer, which may enter parse_request again: such a
// nested call gets scratches of its own for that call.

static md_header req_headers_stack[128];
static char req_text_stack[16384];
static md_pack req_pack = {
    .headers = req_headers_stack,
    .headers_cap = sizeof(req_headers_stack) / sizeof(req_headers_stack[0]),
    .text = req_text_stack,
    .text_cap = sizeof(req_text_stack),
};
static int req_busy;
// The slots' names (md_pack.h): [name0, None, name1, None, ...] or NULL.
static PyObject *req_kept[MD_PACK_SLOTS];
// Where the hints go (_cffi's globals: distinct_headers and plain_cookie),
// and their interned names.
static PyObject *req_hints;
static PyObject *req_distinct_key;
static PyObject *req_cookie_key;

static void req_forget(md_pack *p) {
    md_pack_forget(p);
    if (p == &req_pack) {
        for (int s = 0; s < MD_PACK_SLOTS; s++) {
            Py_CLEAR(req_kept[s]);
        }
    }
}

// Grows p's scratches to what it asked for (MD_PACK_GROW); -1 on error.
// *owned_*: whether that scratch is a PyMem block (else a static one).
static int req_grow(md_pack *p, int *owned_headers, int *owned_text) {
    if (p->need_headers > p->headers_cap) {
        md_header *h = PyMem_Calloc(p->need_headers, sizeof(md_header));
        if (h == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        if (*owned_headers) {
            PyMem_Free(p->headers);
        }
        p->headers = h;
        p->headers_cap = p->need_headers;
        *owned_headers = 1;
    }
    if (p->need_text > p->text_cap) {
        char *t = PyMem_Malloc(p->need_text);
        if (t == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        if (*owned_text) {
            PyMem_Free(p->text);
        }
        p->text = t;
        p->text_cap = p->need_text;
        *owned_text = 1;
    }
    return 0;
}

// Whether req_pack's scratches are PyMem blocks (grown), not the static ones.
static int req_static_headers_owned;
static int req_static_text_owned;

// A new list [name0, None, name1, None, ...] of the header list `headers`.
static PyObject *slot_names(PyObject *headers) {
    Py_ssize_t n = PyList_GET_SIZE(headers);
    PyObject *names = PyList_New(n);
    if (names == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = i & 1 ? Py_None : PyList_GET_ITEM(headers, i);
        Py_INCREF(o);
        PyList_SET_ITEM(names, i, o);
    }
    return names;
}

// The result of a packed parse: r (>= 0) and p->text, as _cffi's Python
// version makes it. NULL on error.
static PyObject *req_result(md_pack *p, int64_t r) {
    int seen = (r & MD_PACK_SEEN) != 0;
    int slot = (int)(r >> MD_PACK_SLOT_SHIFT & 7);
    PyObject *names = Py_None;
    if (seen) {
        names = p == &req_pack ? req_kept[slot] : NULL;
        if (names == NULL) {  // (cannot happen: the slot's list was made)
            PyErr_SetString(PyExc_SystemError, "parse_request: no slot names");
            return NULL;
        }
    }
    const char *text = p->text;
    size_t len = strlen(text);
    Py_ssize_t count = 1;
    for (const char *s = text; (s = memchr(s, '\n', (size_t)(text + len - s)))
        != NULL; s++) {
        count++;
    }
    Py_ssize_t fields = count - 3;
    if (fields < 0 || (seen && PyList_GET_SIZE(names) != 2 * fields)) {
        PyErr_SetString(PyExc_SystemError, "parse_request: bad text");
        return NULL;
    }
    PyObject *stack[64];
    PyObject **all = stack;
    if (count > (Py_ssize_t)(sizeof(stack) / sizeof(stack[0]))) {
        all = PyMem_Calloc((size_t)count, sizeof(PyObject *));
        if (all == NULL) {
            return PyErr_NoMemory();
        }
    }
    PyObject *result = NULL;
    PyObject *parts = NULL;
    if (seen) {
        Py_INCREF(names);  // (a nested call may replace the slot)
    }
    if (pieces(text, len, count, all) < 0) {
        for (Py_ssize_t i = 0; i < count && all[i] != NULL; i++) {
            Py_DECREF(all[i]);
        }
        goto done;
    }
    parts = head_tuple(all, fields, names);  // (takes the pieces)
    if (parts == NULL) {
        goto done;
    }
    PyObject *headers = PyTuple_GET_ITEM(parts, 3);
    if ((r & MD_PACK_KEPT) && p == &req_pack) {
        PyObject *kept = slot_names(headers);
        if (kept == NULL) {
            goto done;
        }
        Py_XSETREF(req_kept[slot], kept);
    }
    if ((r & MD_PACK_DISTINCT) && req_hints != NULL) {
        if (PyDict_SetItem(req_hints, req_distinct_key, headers) < 0) {
            goto done;
        }
        int64_t cookie = r >> MD_PACK_COOKIE_SHIFT & 63;
        if (cookie && PyDict_SetItem(req_hints, req_cookie_key,
            PyList_GET_ITEM(headers, 2 * (cookie - 1) + 1)) < 0) {
            goto done;
        }
    }
    PyObject *query = r & MD_F_QUERY ? PyTuple_GET_ITEM(parts, 2) : Py_None;
    PyObject *length = PyLong_FromLongLong(
        r & MD_PACK_LENGTH ? p->content_length : -1);
    PyObject *n = length != NULL ? PyLong_FromLongLong(r >> MD_PACK_SHIFT)
        : NULL;
    result = n != NULL ? PyTuple_New(8) : NULL;
    if (result == NULL) {
        Py_XDECREF(length);
        Py_XDECREF(n);
        goto done;
    }
    for (int i = 0; i < 2; i++) {
        PyObject *o = PyTuple_GET_ITEM(parts, i);
        Py_INCREF(o);
        PyTuple_SET_ITEM(result, i, o);
    }
    Py_INCREF(query);
    PyTuple_SET_ITEM(result, 2, query);
    PyTuple_SET_ITEM(result, 3, PyLong_FromLong(r & MD_PACK_MINOR ? 1 : 0));
    Py_INCREF(headers);
    PyTuple_SET_ITEM(result, 4, headers);
    PyTuple_SET_ITEM(result, 5, n);
    PyTuple_SET_ITEM(result, 6, length);
    PyTuple_SET_ITEM(result, 7, PyLong_FromLong((long)(r & 15)));
done:
    if (result == NULL && p == &req_pack) {  // the slots may be wrong now
        req_forget(p);
    }
    if (seen) {
        Py_DECREF(names);
    }
    Py_XDECREF(parts);
    if (all != stack) {
        PyMem_Free(all);
    }
    return result;
}

// Parses with p (its limits set) and answers as _cffi.parse_request.
static PyObject *req_parse(md_pack *p, const Py_buffer *view, int64_t start,
    int64_t end, int64_t scanned, int *owned_headers, int *owned_text) {
    int64_t r = md_pack_request(p, view->buf, view->len, start, end, scanned);
    for (int tries = 0; r == MD_PACK_GROW && tries < 4; tries++) {
        if (req_grow(p, owned_headers, owned_text) < 0) {
            return NULL;
        }
        r = md_pack_request(p, view->buf, view->len, start, end, scanned);
    }
    if (r >= 0) {
        return req_result(p, r);
    }
    if (r == MD_INCOMPLETE) {
        Py_RETURN_NONE;
    }
    if (r == MD_PACK_RANGE) {
        PyErr_SetString(PyExc_ValueError, "need 0 <= start <= end <= len(buf)");
        return NULL;
    }
    if (r == MD_PACK_GROW) {
        return PyErr_NoMemory();
    }
    const char *message = p->error != NULL ? p->error : "rejected";
    PyObject *e = Py_BuildValue("(Ls)", (long long)-r, message);
    if (e != NULL) {
        PyErr_SetObject(PyExc_ValueError, e);
        Py_DECREF(e);
    }
    return NULL;
}

// parse_request(buf, start, end, scanned, max_line, max_head, max_headers):
// _pure.py's parse_request, as _cffi's makes it (and its hints, in the dict
// given to request_hints()). buf: any buffer of bytes.
static PyObject *parse_request(PyObject *self, PyObject *const *argv,
    Py_ssize_t argc) {
    (void)self;
    if (argc != 7) {
        PyErr_SetString(PyExc_TypeError, "parse_request(buf, start, end, "
            "scanned, max_line, max_head, max_headers)");
        return NULL;
    }
    long long num[3];
    size_t limit[3];
    for (int i = 0; i < 3; i++) {
        num[i] = PyLong_AsLongLong(argv[1 + i]);
        if (num[i] == -1 && PyErr_Occurred()) {
            return NULL;
        }
        limit[i] = PyLong_AsSize_t(argv[4 + i]);
        if (limit[i] == (size_t)-1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_buffer view;
    if (PyObject_GetBuffer(argv[0], &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    PyObject *result;
    if (!req_busy) {
        req_busy = 1;
        md_pack_limits(&req_pack, limit[0], limit[1], limit[2]);
        result = req_parse(&req_pack, &view, num[0], num[1], num[2],
            &req_static_headers_owned, &req_static_text_owned);
        req_busy = 0;
    } else {  // nested (see above): scratches for this call only
        md_pack *p = PyMem_Calloc(1, sizeof(md_pack));
        int owned_headers = 1;
        int owned_text = 1;
        if (p == NULL) {
            result = PyErr_NoMemory();
        } else {
            md_pack_limits(p, limit[0], limit[1], limit[2]);
            result = req_parse(p, &view, num[0], num[1], num[2],
                &owned_headers, &owned_text);
            PyMem_Free(p->headers);
            PyMem_Free(p->text);
            PyMem_Free(p);
        }
    }
    PyBuffer_Release(&view);
    return result;
}

// request_hints(d): parse_request sets d['distinct_headers'] to the header
// list of a result whose field names are all different ignoring case, and
// d['plain_cookie'] to its Cookie value when that is a plain browser list
// (md_pack.h), as _cffi's Python version does with its globals.
static PyObject *request_hints(PyObject *self, PyObject *d) {
    (void)self;
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "request_hints(dict)");
        return NULL;
    }
    if (req_distinct_key == NULL) {
        req_distinct_key = PyUnicode_InternFromString("distinct_headers");
        req_cookie_key = PyUnicode_InternFromString("plain_cookie");
        if (req_distinct_key == NULL || req_cookie_key == NULL) {
            Py_CLEAR(req_distinct_key);
            Py_CLEAR(req_cookie_key);
            return NULL;
        }
    }
    Py_INCREF(d);
    Py_XSETREF(req_hints, d);
    Py_RETURN_NONE;
}

#if PY_VERSION_HEX >= 0x030A0000  // (PyIter_Send)
// step(coro): coro.send(None) without the StopIteration that ends it:
// (value, True) when the coroutine returned value, (yielded, False) when it
// yielded; what it raised is raised. (Raising and catching the StopIteration
// of a finished handler costs CPython ~3k instructions, the whole of a
// small handler's step.)
static PyObject *step(PyObject *self, PyObject *coro) {
    (void)self;
    PyObject *value = NULL;
    PySendResult r = PyIter_Send(coro, Py_None, &value);
    if (r == PYGEN_ERROR) {
        return NULL;
    }
    PyObject *out = PyTuple_Pack(2, value,
        r == PYGEN_RETURN ? Py_True : Py_False);
    Py_DECREF(value);
    return out;
}
#endif

#if PY_VERSION_HEX >= 0x030A0000
// new_object(cls): object.__new__(cls) without the argument tuple and checks
// of a Python-level call to it (~0.4k instructions less).
static PyObject *empty_args;

static PyObject *new_object(PyObject *self, PyObject *cls) {
    (void)self;
    if (!PyType_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "new_object(cls): not a class");
        return NULL;
    }
    if (((PyTypeObject *)cls)->tp_new != PyBaseObject_Type.tp_new) {
        // (a class with a __new__ of its own, or a builtin's subclass:
        // as object.__new__(cls) would, or its error)
        return PyObject_CallMethod((PyObject *)&PyBaseObject_Type,
            "__new__", "O", cls);
    }
    if (empty_args == NULL) {
        empty_args = PyTuple_New(0);
        if (empty_args == NULL) {
            return NULL;
        }
    }
    return PyBaseObject_Type.tp_new((PyTypeObject *)cls, empty_args, NULL);
}
#endif

static PyMethodDef methods[] = {
    {"parse_request", (PyCFunction)(void (*)(void))parse_request,
     METH_FASTCALL, "_cffi.parse_request in one call."},
    {"request_hints", request_hints, METH_O,
     "The dict where parse_request puts its hints."},
    {"cookies", cookies, METH_O, "A plain Cookie value as a dict, or None."},
    {"args", (PyCFunction)(void (*)(void))args, METH_FASTCALL,
     "A plain query as a new instance of a dict subclass, or None."},
    {"fill", (PyCFunction)(void (*)(void))fill, METH_FASTCALL,
     "A new instance of a dict subclass holding the pairs of a flat list."},
#if PY_VERSION_HEX >= 0x030A0000
    {"new_object", new_object, METH_O, "object.__new__(cls), faster."},
    {"step", step, METH_O,
     "coro.send(None) as (value, True) or (yielded, False)."},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "microdot._cbuild",
    "CPython builders of Request.headers, args and cookies.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cbuild(void) {
    return PyModule_Create(&module);
}
