// The `_microdot` MicroPython module: a thin binding of the C core (md_*.h).
//
// One source, two builds:
//   - firmware (USER_C_MODULES, see micropython.mk / micropython.cmake):
//     py/runtime.h, ROM tables, MP_REGISTER_MODULE;
//   - dynamic native module (.mpy, see ports/natmod/Makefile):
//     py/dynruntime.h, tables filled in RAM by mpy_init.
// The Python-level interface is the one documented in
// python/microdot/_pure.py. Errors the peer caused are ValueError(code, msg).
//
// Allocation is kept to the result objects themselves: scratch arrays live on
// the C stack and only spill to the heap for unusually large inputs.
#include <string.h>

#include "md_config.h"
#include "md_http.h"
#include "md_route.h"
#include "md_utf8.h"
#include "md_util.h"
#include "md_ws.h"

#if MICROPY_ENABLE_DYNRUNTIME
#include "py/dynruntime.h"
#if defined(__XTENSA__)
// Every MP_QSTR_x of a .mpy reads mp_native_qstr_table[i]; on Xtensa gcc puts
// the address table + 2 * i in a literal, which MicroPython 1.23's
// mpy_ld.py cannot link. Hiding the table's address from the optimiser
// leaves one literal, the table itself, and adds the offset in code.
static inline const uint16_t *md_qstr_table(void) {
    const uint16_t *table = mp_native_qstr_table;
    __asm__ ("" : "+r" (table));
    return table;
}
#define mp_native_qstr_table (md_qstr_table())
#endif
#else
#include "py/runtime.h"
#include "py/objstr.h"
#endif
#include "py/objlist.h"
#include "py/objtype.h"

// Header fields parsed into a stack array; heads with more fields than this
// (and a max_headers allowing them) are parsed again into a heap array.
#ifndef MD_MP_STACK_HEADERS
#define MD_MP_STACK_HEADERS (32)
#endif

// Query/cookie pairs split into a stack array before spilling to the heap.
#ifndef MD_MP_STACK_PAIRS
#define MD_MP_STACK_PAIRS (16)
#endif

// Percent-decoded text up to this size is built in a stack buffer.
#ifndef MD_MP_STACK_DECODE
#define MD_MP_STACK_DECODE (128)
#endif

// Common methods, header names and values returned as shared str objects
// (MD_WORDS below) instead of a new str each: in firmware they are ROM
// objects; a .mpy makes each one the first time a request carries it (its
// text stays in the module's code), so that importing it costs next to no
// heap and serving about 300 bytes (the lookup table) plus a str per word
// used. That costs about 1.2 KB of text, which ports/natmod/Makefile spares
// microcontrollers (0 there).
#ifndef MD_MP_WORDS
#define MD_MP_WORDS (1)
#endif

// new_object (below): the server's Request made in one call instead of one
// attribute store at a time, each of which looks the name up in the class
// (for a property or __setattr__) before storing it. About 700 bytes of
// x64 text, left out with the words (microcontroller .mpy files, for size).
#ifndef MD_MP_NEW_OBJECT
#define MD_MP_NEW_OBJECT (MD_ENABLE_HTTP && MD_MP_WORDS)
#endif
// Room left in a new_object's attributes for this many more.
#define MD_NEW_OBJECT_SPARE (2)

// ws_take_message (below): a whole one-frame message taken from a receive
// buffer in one call (about 10k fewer instructions per 1 KiB message on x64
// than parsing, unmasking and copying it from Python). About 400 bytes of
// text, left out with the words (the armv7m .mpy has no room for it).
#ifndef MD_MP_WS_TAKE
#define MD_MP_WS_TAKE (MD_ENABLE_WS && MD_MP_WORDS)
#endif

/******************************************************************************/
// Argument and result helpers

static size_t md_strlen(const char *s) {
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

// Raises ValueError(code, message).
static NORETURN void md_raise(int code, const char *message) {
    mp_obj_t args[2] = {
        MP_OBJ_NEW_SMALL_INT(code),
        mp_obj_new_str(message, md_strlen(message)),
    };
    nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_type_ValueError), 2, 0, args));
}

#if MD_ENABLE_HTTP || MD_ENABLE_ROUTER || MD_ENABLE_UTIL || MD_MP_WS_TAKE
// Heap blocks: the firmware's m_malloc raises MemoryError when the heap is
// full, the dynamic runtime's returns NULL, so every allocation goes here.
static void *md_alloc(size_t n) {
    #if MICROPY_ENABLE_DYNRUNTIME
    void *p = m_malloc(n);
    if (p == NULL) {
        mp_raise_msg((const mp_obj_type_t *)mp_load_global(MP_QSTR_MemoryError), NULL);
    }
    return p;
    #else
    return m_malloc(n);
    #endif
}
#define md_new(type, n) ((type *)md_alloc(sizeof(type) * (n)))
#endif

#if MD_ENABLE_HTTP || MD_ENABLE_ROUTER
// An object of `size` bytes whose first member is its mp_obj_base_t.
static void *md_new_obj(size_t size, const void *type) {
    mp_obj_base_t *base = md_alloc(size);
    base->type = type;
    return base;
}
#endif

#if MD_ENABLE_HTTP || MD_ENABLE_ROUTER || MD_ENABLE_WS
static size_t md_get_size(mp_obj_t o) {
    // a small int is read in place; .mpy calls through the function table
    mp_int_t v = mp_obj_is_small_int(o) ? MP_OBJ_SMALL_INT_VALUE(o) : mp_obj_get_int(o);
    if (v < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("negative size"));
    }
    return (size_t)v;
}
#endif

#if MD_ENABLE_WS
// A non-negative int of up to 64 bits, also where mp_int_t is 32 bits.
static uint64_t md_get_u64(mp_obj_t o) {
    if (mp_obj_is_small_int(o)) {
        return md_get_size(o);
    }
    mp_obj_t zero = MP_OBJ_NEW_SMALL_INT(0);
    mp_obj_t high = mp_binary_op(MP_BINARY_OP_RSHIFT, o, MP_OBJ_NEW_SMALL_INT(32));
    if (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, o, zero))
        || mp_obj_is_true(mp_binary_op(MP_BINARY_OP_RSHIFT, high, MP_OBJ_NEW_SMALL_INT(32)))) {
        mp_raise_ValueError(MP_ERROR_TEXT("value out of range"));
    }
    uint32_t lo = (uint32_t)mp_obj_get_int_truncated(o);
    uint32_t hi = (uint32_t)mp_obj_get_int_truncated(high);
    return ((uint64_t)hi << 32) | lo;
}
#endif

#if MD_ENABLE_HTTP || MD_ENABLE_ROUTER || MD_ENABLE_WS
static mp_obj_t md_new_int64(int64_t v) {
    if ((int64_t)(mp_int_t)v == v) {
        return mp_obj_new_int((mp_int_t)v);
    }
    // mp_int_t is narrower than 64 bits: high * 2^32 | low, in Python ints.
    mp_obj_t high = mp_obj_new_int((mp_int_t)(v >> 32));
    high = mp_binary_op(MP_BINARY_OP_LSHIFT, high, MP_OBJ_NEW_SMALL_INT(32));
    return mp_binary_op(MP_BINARY_OP_OR, high, mp_obj_new_int_from_uint((uint32_t)v));
}
#endif

#if MD_ENABLE_HTTP || MD_ENABLE_WS
// buf[start:end] of a buffer-protocol object, checked against its length.
static uint8_t *md_get_span(mp_obj_t buf, mp_obj_t start_in, mp_obj_t end_in,
    mp_uint_t flags, size_t *start, size_t *len) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(buf, &info, flags);
    size_t s = md_get_size(start_in);
    size_t e = md_get_size(end_in);
    if (s > e || e > info.len) {
        mp_raise_ValueError(MP_ERROR_TEXT("start/end out of range"));
    }
    *start = s;
    *len = e - s;
    return (uint8_t *)info.buf + s;
}
#endif

#if MD_ENABLE_HTTP || MD_ENABLE_UTIL || MD_ENABLE_ROUTER
// A str of text that is valid UTF-8 (the caller checked it). Unlike
// mp_obj_new_str it does not first search the qstr pools for the text: that
// search is linear in the names the application interned, and was most of
// the time of a parse_request.
static mp_obj_t md_new_text(const uint8_t *text, size_t len) {
    if (len == 0) {
        return MP_OBJ_NEW_QSTR(MP_QSTR_);
    }
    #if MICROPY_ENABLE_DYNRUNTIME
    // What mp_obj_new_str_copy does, but for the hash: 0 tells MicroPython
    // to compute it when the str is first hashed.
    mp_obj_str_t *o = md_alloc(sizeof(mp_obj_str_t));
    uint8_t *data = md_alloc(len + 1);
    memcpy(data, text, len);
    data[len] = '\0';
    o->base.type = &mp_type_str;
    o->hash = 0;
    o->len = len;
    o->data = data;
    return MP_OBJ_FROM_PTR(o);
    #else
    return mp_obj_new_str_copy(&mp_type_str, text, len);
    #endif
}

#endif

#if MD_ENABLE_HTTP || MD_ENABLE_UTIL
static mp_obj_t md_new_str(const uint8_t *base, md_slice s) {
    return md_new_text(base + s.off, s.len);
}
#endif

#if MD_ENABLE_HTTP || MD_ENABLE_ROUTER || MD_ENABLE_UTIL
static mp_obj_t md_new_list(size_t n, mp_obj_t **items) {
    mp_obj_t list = mp_obj_new_list(n, NULL);
    *items = ((mp_obj_list_t *)MP_OBJ_TO_PTR(list))->items;
    return list;
}
#endif

#if MD_ENABLE_UTIL || MD_ENABLE_ROUTER
// Percent-decodes text[0:len) into a new str; MP_OBJ_NULL when the result
// is not valid UTF-8.
static mp_obj_t md_try_decode_str(const uint8_t *text, size_t len, int plus) {
    uint8_t stack_buf[MD_MP_STACK_DECODE];
    uint8_t *out = len <= sizeof(stack_buf) ? stack_buf : md_new(uint8_t, len);
    long n = md_url_decode(text, len, out, plus);
    mp_obj_t str = n < 0 ? MP_OBJ_NULL : md_new_text(out, n);
    if (out != stack_buf) {
        m_del(uint8_t, out, len);
    }
    return str;
}
#endif

#if MD_ENABLE_UTIL
static mp_obj_t md_decode_str(const uint8_t *text, size_t len, int plus) {
    mp_obj_t str = md_try_decode_str(text, len, plus);
    if (str == MP_OBJ_NULL) {
        md_raise(400, "percent-decoded text is not valid UTF-8");
    }
    return str;
}
#endif

#if MD_ENABLE_HTTP
#if MD_MP_WORDS
// Words that requests often carry (methods, header names and values), as str
// objects made once: parse_request returns these instead of allocating a str
// per such field.
#define MD_WORDS(X) \
    X("GET") X("POST") X("PUT") X("PATCH") X("DELETE") X("HEAD") X("OPTIONS") \
    X("Host") X("User-Agent") X("Accept") X("Accept-Language") X("Accept-Encoding") \
    X("Connection") X("Cookie") X("Referer") X("Origin") X("Upgrade-Insecure-Requests") \
    X("Cache-Control") X("Pragma") X("Priority") X("Authorization") X("Upgrade") X("DNT") \
    X("Content-Length") X("Content-Type") X("If-Modified-Since") X("If-None-Match") \
    X("Sec-Fetch-Dest") X("Sec-Fetch-Mode") X("Sec-Fetch-Site") X("Sec-Fetch-User") \
    X("Sec-WebSocket-Key") X("Sec-WebSocket-Version") X("Transfer-Encoding") X("Expect") \
    X("X-Requested-With") X("X-Forwarded-For") \
    X("host") X("user-agent") X("accept") X("accept-encoding") X("accept-language") \
    X("connection") X("cookie") X("content-length") X("content-type") \
    X("keep-alive") X("close") X("websocket") X("0") X("1") X("13") X("?0") X("?1") \
    X("*/*") X("gzip, deflate") X("gzip, deflate, br") X("max-age=0") X("no-cache") \
    X("document") X("navigate") X("same-origin") X("none") X("cors") X("u=0, i") \
    X("application/json") X("text/plain") X("chunked") X("100-continue") X("/")

#define MD_WORD_COUNT(s) + 1
#define MD_NUM_WORDS (0 MD_WORDS(MD_WORD_COUNT))
#define MD_WORD_SLOTS (128) // a power of two, about twice MD_NUM_WORDS

// Words are looked up in a table of MD_WORD_SLOTS slots (open addressing,
// hashed on the length and three bytes), filled by the first parse_request.
// A slot holds 0 (empty) or what names its word, which md_word_slot_find
// reads.
static size_t md_word_hash(const uint8_t *p, size_t len) {
    return (len * 16 + p[0] * 5 + p[len - 1] * 3 + p[len / 2] * 2) & (MD_WORD_SLOTS - 1);
}

#if MICROPY_ENABLE_DYNRUNTIME
// A .mpy has no ROM objects: each word's str is made the first time a request
// carries it, its text left in the module's code. Slots hold the word's
// offset in md_word_text + 1 until then, and MD_WORD_MADE | its index in
// items after.
#define MD_WORD_TEXT(s) s "\0"
static const char md_word_text[] = MD_WORDS(MD_WORD_TEXT);
#define MD_WORD_MADE (0x8000)
#define MD_WORDS_STEP (8) // room for this many more words at each growth

// The table and the words made so far, in one object that Python code can
// see but not change: the module attribute _words, replaced by a bigger copy
// as it fills. Whether the GC scans a .mpy's data (bss) depends on the port
// and its version (the 1.29 unix port does): the attribute keeps the object
// and its strs alive either way (md_natmod_init saves the module's globals
// for that). Nothing of it exists before the first parse_request.
typedef struct {
    mp_obj_base_t base;
    uint16_t len;
    uint16_t alloc;
    uint16_t slots[MD_WORD_SLOTS];
    mp_obj_t items[];
} md_words_t;

// (mpy_ld.py links no static variables in bss: these are global there.)
mp_obj_type_t md_words_type; // filled by md_natmod_init
md_words_t *md_words;
mp_obj_t md_module_dict;

// Replaces md_words by a copy with room for MD_WORDS_STEP more words (the
// first time: an empty one, its table filled).
static void md_grow_words(void) {
    size_t len = md_words != NULL ? md_words->len : 0;
    size_t alloc = len + MD_WORDS_STEP;
    md_words_t *w = md_new_obj(sizeof(md_words_t) + alloc * sizeof(mp_obj_t), &md_words_type);
    w->len = (uint16_t)len;
    w->alloc = (uint16_t)alloc;
    if (md_words != NULL) {
        memcpy(w->slots, md_words->slots, sizeof(w->slots));
        memcpy(w->items, md_words->items, len * sizeof(mp_obj_t));
    } else {
        MP_STATIC_ASSERT(sizeof(md_word_text) < MD_WORD_MADE);
        memset(w->slots, 0, sizeof(w->slots));
        for (size_t off = 0; off < sizeof(md_word_text) - 1;) {
            const uint8_t *p = (const uint8_t *)md_word_text + off;
            size_t n = md_strlen((const char *)p);
            size_t h = md_word_hash(p, n);
            while (w->slots[h] != 0) {
                h = (h + 1) & (MD_WORD_SLOTS - 1);
            }
            w->slots[h] = (uint16_t)(off + 1);
            off += n + 1;
        }
    }
    mp_obj_dict_store(md_module_dict, MP_OBJ_NEW_QSTR(MP_QSTR__words), MP_OBJ_FROM_PTR(w));
    md_words = w;
}

static void md_prepare_words(void) {
    if (md_words == NULL) {
        md_grow_words();
    }
}

#define md_word_slots (md_words->slots)

// The word of slot h, whose text is `text` (len bytes): made now.
static mp_obj_t md_make_word(size_t h, const char *text, size_t len) {
    mp_obj_str_t *o = md_alloc(sizeof(mp_obj_str_t));
    o->base.type = &mp_type_str;
    o->hash = 0; // computed by MicroPython when first needed
    o->len = len;
    o->data = (const byte *)text;
    if (md_words->len == md_words->alloc) {
        md_grow_words();
    }
    md_words->items[md_words->len] = MP_OBJ_FROM_PTR(o);
    md_words->slots[h] = (uint16_t)(MD_WORD_MADE | md_words->len);
    md_words->len++;
    return MP_OBJ_FROM_PTR(o);
}

// The word p[0:len) if slot h names it, else MP_OBJ_NULL.
static mp_obj_t md_word_slot_find(size_t h, const uint8_t *p, size_t len) {
    size_t v = md_words->slots[h];
    if (v & MD_WORD_MADE) {
        mp_obj_t word = md_words->items[v & (MD_WORD_MADE - 1)];
        const mp_obj_str_t *w = MP_OBJ_TO_PTR(word);
        return w->len == len && memcmp(w->data, p, len) == 0 ? word : MP_OBJ_NULL;
    }
    const char *text = md_word_text + v - 1;
    size_t i = 0;
    while (i < len && text[i] != '\0' && (uint8_t)text[i] == p[i]) {
        i++;
    }
    return i == len && text[i] == '\0' ? md_make_word(h, text, len) : MP_OBJ_NULL;
}

#else
// Firmware: the words are ROM objects; slots hold their index + 1.
#define MD_ROM_WORD(s) {{&mp_type_str}, 0, sizeof(s) - 1, (const byte *)(s)},
static const mp_obj_str_t md_words[MD_NUM_WORDS] = { MD_WORDS(MD_ROM_WORD) };
static uint8_t md_word_slots[MD_WORD_SLOTS];
static uint8_t md_word_slots_ready;

static void md_prepare_words(void) {
    MP_STATIC_ASSERT(MD_NUM_WORDS < 256);
    if (md_word_slots_ready) {
        return;
    }
    for (size_t i = 0; i < MD_NUM_WORDS; i++) {
        size_t h = md_word_hash(md_words[i].data, md_words[i].len);
        while (md_word_slots[h] != 0) {
            h = (h + 1) & (MD_WORD_SLOTS - 1);
        }
        md_word_slots[h] = (uint8_t)(i + 1);
    }
    md_word_slots_ready = 1;
}

static mp_obj_t md_word_slot_find(size_t h, const uint8_t *p, size_t len) {
    const mp_obj_str_t *w = &md_words[md_word_slots[h] - 1];
    return w->len == len && memcmp(w->data, p, len) == 0 ? MP_OBJ_FROM_PTR(w) : MP_OBJ_NULL;
}
#endif

// The word equal to p[0:len), or MP_OBJ_NULL.
static mp_obj_t md_find_word(const uint8_t *p, size_t len) {
    for (size_t h = md_word_hash(p, len); md_word_slots[h] != 0; h = (h + 1) & (MD_WORD_SLOTS - 1)) {
        mp_obj_t word = md_word_slot_find(h, p, len);
        if (word != MP_OBJ_NULL) {
            return word;
        }
    }
    return MP_OBJ_NULL;
}
#endif // MD_MP_WORDS

// A str of a field of the request head: a word, or a new str.
static mp_obj_t md_new_field(const uint8_t *base, md_slice s) {
    #if MD_MP_WORDS
    if (s.len != 0) {
        mp_obj_t word = md_find_word(base + s.off, s.len);
        if (word != MP_OBJ_NULL) {
            return word;
        }
    }
    #endif
    return md_new_str(base, s);
}
#endif
/******************************************************************************/
// HTTP

#if MD_ENABLE_HTTP
// parse_request(buf, start, end, scanned, max_line, max_head, max_headers)
static mp_obj_t md_mp_parse_request(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    size_t start, len;
    const uint8_t *head = md_get_span(args[0], args[1], args[2], MP_BUFFER_READ, &start, &len);
    size_t scanned = md_get_size(args[3]);
    scanned = scanned < start ? 0 : scanned - start;
    if (scanned > len) {
        scanned = len;
    }
    md_limits limits = {
        .max_line = md_get_size(args[4]),
        .max_head = md_get_size(args[5]),
        .max_headers = md_get_size(args[6]),
    };

    md_header stack_headers[MD_MP_STACK_HEADERS];
    md_request req;
    req.headers = stack_headers;
    req.num_headers = MD_MP_STACK_HEADERS;
    int rc = md_parse_request(head, len, scanned, &limits, &req);
    // A field takes at least 3 bytes ("a:" LF): `room` never runs out before
    // max_headers does. (Halving, not a third: the lx106 has no divide.)
    size_t room = len / 2 + 1;
    if (room > limits.max_headers) {
        room = limits.max_headers;
    }
    if (rc == -431 && room > MD_MP_STACK_HEADERS) {
        // Possibly just over the stack array: parse again with room for all.
        req.headers = md_new(md_header, room);
        req.num_headers = room;
        rc = md_parse_request(head, len, 0, &limits, &req);
    }
    if (rc == MD_INCOMPLETE) {
        return mp_const_none;
    }
    if (rc < 0) {
        md_raise(-rc, req.error != NULL ? req.error : "bad request");
    }

    #if MD_MP_WORDS
    md_prepare_words();
    #endif
    mp_obj_t *fields;
    mp_obj_t headers = md_new_list(2 * req.num_headers, &fields);
    for (size_t i = 0; i < req.num_headers; i++) {
        fields[2 * i] = md_new_field(head, req.headers[i].name);
        fields[2 * i + 1] = md_new_field(head, req.headers[i].value);
    }
    if (req.headers != stack_headers) {
        m_del(md_header, req.headers, room);
    }

    mp_obj_t result[8] = {
        md_new_field(head, req.method),
        // (a path that is a word is "/", the most requested one)
        req.path.len ? md_new_field(head, req.path) : md_new_text((const uint8_t *)"/", 1),
        (req.flags & MD_F_QUERY) ? md_new_str(head, req.query) : mp_const_none,
        MP_OBJ_NEW_SMALL_INT(req.minor_version),
        headers,
        mp_obj_new_int_from_uint(rc),
        md_new_int64(req.content_length),
        MP_OBJ_NEW_SMALL_INT(req.flags & (MD_F_CHUNKED | MD_F_KEEP_ALIVE
            | MD_F_EXPECT_CONTINUE | MD_F_UPGRADE)),
    };
    return mp_obj_new_tuple(8, result);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_parse_request_obj, 7, 7, md_mp_parse_request);

// The decoder state of one chunked body.
typedef struct {
    mp_obj_base_t base;
    md_chunked state;
} md_chunked_obj_t;

#if MICROPY_ENABLE_DYNRUNTIME
mp_obj_type_t md_chunked_type; // filled by mpy_init; bss must not be static
#else
static MP_DEFINE_CONST_OBJ_TYPE(md_chunked_type, MP_QSTR_ChunkedDecoder, MP_TYPE_FLAG_NONE);
#endif

static mp_obj_t md_mp_new_chunked(void) {
    md_chunked_obj_t *self = md_new_obj(sizeof(md_chunked_obj_t), &md_chunked_type);
    md_chunked_init(&self->state);
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_FUN_OBJ_0(md_new_chunked_obj, md_mp_new_chunked);

// chunked_decode(state, buf, start, end) -> (data_end, next, done)
static mp_obj_t md_mp_chunked_decode(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    if (mp_obj_get_type(args[0]) != (const mp_obj_type_t *)&md_chunked_type) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected a state from new_chunked()"));
    }
    md_chunked_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    size_t start, len;
    uint8_t *body = md_get_span(args[1], args[2], args[3], MP_BUFFER_RW, &start, &len);
    size_t out_len = 0, consumed = 0;
    int rc = md_chunked_decode(&self->state, body, len, &out_len, &consumed);
    if (rc < 0) {
        md_raise(-rc, "malformed chunked body");
    }
    mp_obj_t result[3] = {
        mp_obj_new_int_from_uint(start + out_len),
        mp_obj_new_int_from_uint(start + consumed),
        mp_obj_new_bool(rc == 1),
    };
    return mp_obj_new_tuple(3, result);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_chunked_decode_obj, 4, 4, md_mp_chunked_decode);

#endif // MD_ENABLE_HTTP

/******************************************************************************/
// Routing

#if MD_ENABLE_ROUTER
// A compiled router: the blob md_router_build wrote.
typedef struct {
    mp_obj_base_t base;
    size_t len;
    uint8_t blob[];
} md_router_obj_t;

#if MICROPY_ENABLE_DYNRUNTIME
mp_obj_type_t md_router_type; // filled by mpy_init
#else
static MP_DEFINE_CONST_OBJ_TYPE(md_router_type, MP_QSTR_Router, MP_TYPE_FLAG_NONE);
#endif

// compile_router(patterns) -> router
static mp_obj_t md_mp_compile_router(mp_obj_t patterns_in) {
    size_t n;
    mp_obj_t *patterns;
    mp_obj_get_array(patterns_in, &n, &patterns);

    // The core takes the patterns as slices of one text: join them.
    mp_buffer_info_t info;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        mp_get_buffer_raise(patterns[i], &info, MP_BUFFER_READ);
        total += info.len;
    }
    uint8_t *text = md_new(uint8_t, total ? total : 1);
    md_slice *slices = md_new(md_slice, n ? n : 1);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        mp_get_buffer_raise(patterns[i], &info, MP_BUFFER_READ);
        memcpy(text + off, info.buf, info.len);
        slices[i].off = off;
        slices[i].len = info.len;
        off += info.len;
    }

    size_t bad = 0;
    long size = md_router_build(text, slices, n, NULL, 0, &bad);
    md_router_obj_t *router = NULL;
    if (size >= 0) {
        router = md_new_obj(sizeof(md_router_obj_t) + size, &md_router_type);
        router->len = size;
        size = md_router_build(text, slices, n, router->blob, router->len, &bad);
    }
    m_del(uint8_t, text, total ? total : 1);
    m_del(md_slice, slices, n ? n : 1);
    if (size < 0) {
        md_raise(-size, "malformed route pattern");
    }
    return MP_OBJ_FROM_PTR(router);
}
static MP_DEFINE_CONST_FUN_OBJ_1(md_compile_router_obj, md_mp_compile_router);

// The captures of a built-in-only route as a list, or MP_OBJ_NULL when one
// of them does not decode to valid UTF-8 (the route then does not match).
static mp_obj_t md_captures(const uint8_t *path, const md_capture *caps, size_t ncaps) {
    mp_obj_t *values;
    mp_obj_t list = md_new_list(ncaps, &values);
    for (size_t i = 0; i < ncaps; i++) {
        if (caps[i].type == MD_CAP_INT) {
            values[i] = md_new_int64(caps[i].value);
        } else {
            values[i] = md_try_decode_str(path + caps[i].text.off, caps[i].text.len, 0);
            if (values[i] == MP_OBJ_NULL) {
                return MP_OBJ_NULL;
            }
        }
    }
    return list;
}

// match_route(router, path, start) -> None | (index, captures | None)
static mp_obj_t md_mp_match_route(mp_obj_t router_in, mp_obj_t path_in, mp_obj_t start_in) {
    if (mp_obj_get_type(router_in) != (const mp_obj_type_t *)&md_router_type) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected a router from compile_router()"));
    }
    md_router_obj_t *router = MP_OBJ_TO_PTR(router_in);
    mp_buffer_info_t path;
    mp_get_buffer_raise(path_in, &path, MP_BUFFER_READ);
    size_t start = md_get_size(start_in);

    md_capture caps[MD_MAX_CAPTURES];
    for (;;) {
        size_t ncaps = MD_MAX_CAPTURES;
        int verify = 0;
        long index = md_router_match(router->blob, path.buf, path.len, start,
            caps, &ncaps, &verify);
        if (index < 0) {
            return mp_const_none;
        }
        mp_obj_t captures = verify ? mp_const_none : md_captures(path.buf, caps, ncaps);
        if (captures != MP_OBJ_NULL) {
            mp_obj_t result[2] = { mp_obj_new_int_from_uint(index), captures };
            return mp_obj_new_tuple(2, result);
        }
        start = index + 1;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(md_match_route_obj, md_mp_match_route);

#endif // MD_ENABLE_ROUTER

/******************************************************************************/
// WebSocket

#if MD_ENABLE_WS
static const uint8_t *md_get_mask(mp_obj_t mask_in) {
    mp_buffer_info_t mask;
    mp_get_buffer_raise(mask_in, &mask, MP_BUFFER_READ);
    if (mask.len != 4) {
        mp_raise_ValueError(MP_ERROR_TEXT("mask must be 4 bytes"));
    }
    return mask.buf;
}

// ws_parse_header(buf, start, end, masked, max_payload)
//     -> None | (fin, opcode, mask, payload_len, header_len)
static mp_obj_t md_mp_ws_parse_header(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    size_t start, len;
    const uint8_t *buf = md_get_span(args[0], args[1], args[2], MP_BUFFER_READ, &start, &len);
    md_ws_frame frame;
    int rc = md_ws_parse_header(buf, len, mp_obj_is_true(args[3]), md_get_u64(args[4]), &frame);
    if (rc == MD_INCOMPLETE) {
        return mp_const_none;
    }
    if (rc < 0) {
        md_raise(-rc, rc == -1009 ? "frame too large" : "WebSocket protocol error");
    }
    mp_obj_t result[5] = {
        mp_obj_new_bool(frame.fin),
        MP_OBJ_NEW_SMALL_INT(frame.opcode),
        frame.masked ? mp_obj_new_bytes(frame.mask, 4) : mp_const_none,
        md_new_int64((int64_t)frame.payload_len),
        MP_OBJ_NEW_SMALL_INT(rc),
    };
    return mp_obj_new_tuple(5, result);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_ws_parse_header_obj, 5, 5, md_mp_ws_parse_header);

// ws_build_header(fin, opcode, length, mask) -> bytes
static mp_obj_t md_mp_ws_build_header(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    mp_int_t opcode = mp_obj_get_int(args[1]);
    if (opcode < 0 || opcode > 15) {
        mp_raise_ValueError(MP_ERROR_TEXT("opcode out of range"));
    }
    uint64_t length = md_get_u64(args[2]);
    if (length >> 63) {
        mp_raise_ValueError(MP_ERROR_TEXT("length out of range"));
    }
    const uint8_t *mask = args[3] == mp_const_none ? NULL : md_get_mask(args[3]);
    uint8_t out[MD_WS_MAX_HEADER];
    size_t n = md_ws_build_header(out, mp_obj_is_true(args[0]), (int)opcode, length, mask);
    return mp_obj_new_bytes(out, n);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_ws_build_header_obj, 4, 4, md_mp_ws_build_header);

// ws_mask(buf, start, end, mask, offset) -> None, masks in place
static mp_obj_t md_mp_ws_mask(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    size_t start, len;
    uint8_t *buf = md_get_span(args[0], args[1], args[2], MP_BUFFER_RW, &start, &len);
    md_ws_mask(buf, len, md_get_mask(args[3]), md_get_u64(args[4]));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_ws_mask_obj, 5, 5, md_mp_ws_mask);

// utf8_check(state, buf, start, end) -> state
static mp_obj_t md_mp_utf8_check(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    size_t state = md_get_size(args[0]);
    size_t start, len;
    const uint8_t *buf = md_get_span(args[1], args[2], args[3], MP_BUFFER_READ, &start, &len);
    if (state > 0xffffffff) {
        mp_raise_ValueError(MP_ERROR_TEXT("bad state"));
    }
    return mp_obj_new_int_from_uint(md_utf8_check((uint32_t)state, buf, len));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_utf8_check_obj, 4, 4, md_mp_utf8_check);

#if MD_MP_WS_TAKE
#if MICROPY_ENABLE_DYNRUNTIME
// (the .mpy finds bytes by a global lookup: done once, in md_natmod_init)
const mp_obj_type_t *md_bytes_type; // (not static: mpy_ld.py links no static bss)
#else
#define md_bytes_type (&mp_type_bytes)
#endif

// ws_take_message(buf, start, end, max_payload, data_ok)
//     -> None | (opcode, payload, stop)
// Takes the masked frame at buf[start:end) whole, in one call, when it is a
// control frame or, with data_ok (no fragmented message under way), a
// one-frame text or binary message: payload is the unmasked payload (bytes;
// str for text, its UTF-8 checked) and stop where the frame ends in buf.
// buf itself is left as it was. None when buf holds no such frame whole:
// the caller's frame reader takes the frame. Protocol errors raise what
// ws_parse_header raises, and ValueError(1007, ...) for invalid UTF-8.
static mp_obj_t md_mp_ws_take_message(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    size_t start, len;
    const uint8_t *buf = md_get_span(args[0], args[1], args[2], MP_BUFFER_READ, &start, &len);
    md_ws_frame frame;
    int rc = md_ws_parse_header(buf, len, 1, md_get_u64(args[3]), &frame);
    if (rc == MD_INCOMPLETE) {
        return mp_const_none;
    }
    if (rc < 0) {
        md_raise(-rc, rc == -1009 ? "frame too large" : "WebSocket protocol error");
    }
    int opcode = frame.opcode;
    if (frame.payload_len > len - (size_t)rc
        || (opcode < 8 && !(frame.fin && (opcode == 1 || opcode == 2) && mp_obj_is_true(args[4])))) {
        return mp_const_none;
    }
    size_t n = (size_t)frame.payload_len;
    // What mp_obj_new_str_copy makes, but for the hash: 0 tells MicroPython
    // to compute it when the object is first hashed (most payloads never
    // are; hashing 1 KiB is about 7k instructions).
    mp_obj_str_t *o = md_alloc(sizeof(mp_obj_str_t));
    uint8_t *data = md_alloc(n + 1);
    memcpy(data, buf + rc, n);
    md_ws_mask(data, n, frame.mask, 0);
    data[n] = '\0';
    if (opcode == 1 && md_utf8_check(MD_UTF8_ACCEPT, data, n) != MD_UTF8_ACCEPT) {
        md_raise(1007, "invalid UTF-8");
    }
    o->base.type = opcode == 1 ? &mp_type_str : md_bytes_type;
    o->hash = 0;
    o->len = n;
    o->data = data;
    mp_obj_t result[3] = {
        MP_OBJ_NEW_SMALL_INT(opcode),
        MP_OBJ_FROM_PTR(o),
        mp_obj_new_int_from_uint(start + rc + n),
    };
    return mp_obj_new_tuple(3, result);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(md_ws_take_message_obj, 5, 5, md_mp_ws_take_message);
#endif // MD_MP_WS_TAKE

#endif // MD_ENABLE_WS

/******************************************************************************/
// Utilities

#if MD_ENABLE_UTIL
// url_decode(s, plus) -> str
static mp_obj_t md_mp_url_decode(mp_obj_t s_in, mp_obj_t plus_in) {
    mp_buffer_info_t s;
    mp_get_buffer_raise(s_in, &s, MP_BUFFER_READ);
    int plus = mp_obj_is_true(plus_in);
    if (mp_obj_is_str(s_in)) {
        // A str with nothing to decode is its own result.
        const uint8_t *p = s.buf;
        size_t i = 0;
        while (i < s.len && p[i] != '%' && !(plus && p[i] == '+')) {
            i++;
        }
        if (i == s.len) {
            return s_in;
        }
    }
    return md_decode_str(s.buf, s.len, plus);
}
static MP_DEFINE_CONST_FUN_OBJ_2(md_url_decode_obj, md_mp_url_decode);

// text[0:len) as a str, ValueError(400) unless it is valid UTF-8.
static mp_obj_t md_new_checked_str(const uint8_t *text, size_t len) {
    for (size_t i = 0; i < len;) {
        int n = md_utf8_seq(text + i, len - i);
        if (n <= 0) {
            md_raise(400, "invalid UTF-8");
        }
        i += n;
    }
    return md_new_text(text, len);
}

typedef long (*md_splitter)(const uint8_t *s, size_t len, md_slice *pairs, size_t cap);

// Splits s with `split` into a flat [name0, value0, ...] list, decoding
// names and values (plus as space) when `decode` is set. Undecoded text of a
// str needs no UTF-8 check: the split points are ASCII.
static mp_obj_t md_split_pairs(mp_obj_t s_in, md_splitter split, int decode) {
    mp_buffer_info_t s;
    mp_get_buffer_raise(s_in, &s, MP_BUFFER_READ);
    const uint8_t *text = s.buf;

    md_slice stack_pairs[2 * MD_MP_STACK_PAIRS];
    md_slice *pairs = stack_pairs;
    size_t cap = MD_MP_STACK_PAIRS;
    long n = split(text, s.len, pairs, cap);
    if (n == -413) {
        // Every pair but the first starts after a separator.
        cap = 1;
        for (size_t i = 0; i < s.len; i++) {
            cap += text[i] == '&' || text[i] == ';';
        }
        pairs = md_new(md_slice, 2 * cap);
        n = split(text, s.len, pairs, cap);
    }
    if (n < 0) {
        md_raise(-n, "too many fields");
    }

    int is_str = mp_obj_is_str(s_in);
    mp_obj_t *items;
    mp_obj_t list = md_new_list(2 * n, &items);
    for (size_t i = 0; i < 2 * (size_t)n; i++) {
        if (decode) {
            items[i] = md_decode_str(text + pairs[i].off, pairs[i].len, 1);
        } else if (is_str) {
            items[i] = md_new_str(text, pairs[i]);
        } else {
            items[i] = md_new_checked_str(text + pairs[i].off, pairs[i].len);
        }
    }
    if (pairs != stack_pairs) {
        m_del(md_slice, pairs, 2 * cap);
    }
    return list;
}

// parse_query(s) -> [name0, value0, ...]
static mp_obj_t md_mp_parse_query(mp_obj_t s_in) {
    return md_split_pairs(s_in, md_split_query, 1);
}
static MP_DEFINE_CONST_FUN_OBJ_1(md_parse_query_obj, md_mp_parse_query);

// parse_cookies(s) -> [name0, value0, ...]
static mp_obj_t md_mp_parse_cookies(mp_obj_t s_in) {
    return md_split_pairs(s_in, md_split_cookies, 0);
}
static MP_DEFINE_CONST_FUN_OBJ_1(md_parse_cookies_obj, md_mp_parse_cookies);

#endif // MD_ENABLE_UTIL

/******************************************************************************/
// Objects

#if MD_MP_NEW_OBJECT
// new_object(cls, name0, value0, name1, value1, ...) -> object.__new__(cls)
// with those attributes (none of them a property or other descriptor of
// cls: they are written straight into the instance's dict, a later name
// replacing an earlier equal one). The dict is the hash table an attribute
// store would have grown, placed as mp_map_lookup places entries.
static mp_obj_t md_mp_new_object(size_t n_args, const mp_obj_t *args) {
    if (!(n_args & 1)) {
        mp_raise_TypeError(MP_ERROR_TEXT("names and values must pair up"));
    }
    size_t n = n_args / 2;
    for (size_t i = 0; i < n; i++) {
        if (!mp_obj_is_str(args[1 + 2 * i])) {
            mp_raise_TypeError(MP_ERROR_TEXT("attribute names must be str"));
        }
    }
    mp_obj_t make = mp_load_attr(mp_load_global(MP_QSTR_object), MP_QSTR___new__);
    mp_obj_t obj = mp_call_function_n_kw(make, 1, 0, args);
    mp_map_t *members = &((mp_obj_instance_t *)MP_OBJ_TO_PTR(obj))->members;
    if (members->alloc != 0) {
        mp_raise_TypeError(MP_ERROR_TEXT("not a plain class"));
    }
    size_t alloc = n + MD_NEW_OBJECT_SPARE;
    mp_map_elem_t *table = md_new(mp_map_elem_t, alloc);
    memset(table, 0, sizeof(mp_map_elem_t) * alloc);
    size_t used = 0, qstrs = 1;
    for (size_t i = 0; i < n; i++) {
        mp_obj_t name = args[1 + 2 * i];
        size_t pos = MP_OBJ_SMALL_INT_VALUE(mp_unary_op(MP_UNARY_OP_HASH, name)) % alloc;
        while (table[pos].key != MP_OBJ_NULL && table[pos].key != name
               && mp_binary_op(MP_BINARY_OP_EQUAL, table[pos].key, name) != mp_const_true) {
            pos = pos + 1 < alloc ? pos + 1 : 0;
        }
        if (table[pos].key == MP_OBJ_NULL) {
            table[pos].key = name;
            used++;
        }
        table[pos].value = args[2 + 2 * i];
        qstrs &= mp_obj_is_qstr(name);
    }
    members->table = table;
    members->alloc = alloc;
    members->used = used;
    members->all_keys_are_qstrs = qstrs;
    return obj;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(md_new_object_obj, 1, md_mp_new_object);
#endif

/******************************************************************************/
// Module registration
//
// Each list names the functions of one part of the core, so that both
// registrations below follow the MD_ENABLE_* switches from one place.

#if MD_ENABLE_HTTP
#define MD_HTTP_FUNCTIONS(X) \
    X(MP_QSTR_parse_request, md_parse_request_obj) \
    X(MP_QSTR_new_chunked, md_new_chunked_obj) \
    X(MP_QSTR_chunked_decode, md_chunked_decode_obj)
#else
#define MD_HTTP_FUNCTIONS(X)
#endif

#if MD_ENABLE_ROUTER
#define MD_ROUTER_FUNCTIONS(X) \
    X(MP_QSTR_compile_router, md_compile_router_obj) \
    X(MP_QSTR_match_route, md_match_route_obj)
#else
#define MD_ROUTER_FUNCTIONS(X)
#endif

#if MD_ENABLE_WS
#define MD_WS_FUNCTIONS(X) \
    X(MP_QSTR_ws_parse_header, md_ws_parse_header_obj) \
    X(MP_QSTR_ws_build_header, md_ws_build_header_obj) \
    X(MP_QSTR_ws_mask, md_ws_mask_obj) \
    X(MP_QSTR_utf8_check, md_utf8_check_obj)
#else
#define MD_WS_FUNCTIONS(X)
#endif

#if MD_ENABLE_UTIL
#define MD_UTIL_FUNCTIONS(X) \
    X(MP_QSTR_url_decode, md_url_decode_obj) \
    X(MP_QSTR_parse_query, md_parse_query_obj) \
    X(MP_QSTR_parse_cookies, md_parse_cookies_obj)
#else
#define MD_UTIL_FUNCTIONS(X)
#endif

#if MD_MP_NEW_OBJECT
#define MD_OBJECT_FUNCTIONS(X) \
    X(MP_QSTR_new_object, md_new_object_obj)
#else
#define MD_OBJECT_FUNCTIONS(X)
#endif

#if MD_MP_WS_TAKE
#define MD_WS_TAKE_FUNCTIONS(X) \
    X(MP_QSTR_ws_take_message, md_ws_take_message_obj)
#else
#define MD_WS_TAKE_FUNCTIONS(X)
#endif

#define MD_FUNCTIONS(X) \
    MD_HTTP_FUNCTIONS(X) MD_ROUTER_FUNCTIONS(X) MD_WS_FUNCTIONS(X) MD_UTIL_FUNCTIONS(X) \
    MD_OBJECT_FUNCTIONS(X) MD_WS_TAKE_FUNCTIONS(X)

#define MD_INT_CONSTANTS(X) \
    X(MP_QSTR_F_CHUNKED, MD_F_CHUNKED) \
    X(MP_QSTR_F_KEEP_ALIVE, MD_F_KEEP_ALIVE) \
    X(MP_QSTR_F_EXPECT_CONTINUE, MD_F_EXPECT_CONTINUE) \
    X(MP_QSTR_F_UPGRADE, MD_F_UPGRADE)

#if MICROPY_ENABLE_DYNRUNTIME

#define MD_STORE_FUNCTION(name, obj) mp_store_global(name, MP_OBJ_FROM_PTR(&obj));
#define MD_STORE_INT(name, value) mp_store_global(name, MP_OBJ_NEW_SMALL_INT(value));

#if MD_ENABLE_HTTP || MD_ENABLE_ROUTER
// A type with no slots (no methods, default print): its struct alone.
static void md_init_type(mp_obj_type_t *type, qstr name) {
    type->base.type = (void *)&mp_type_type;
    type->flags = MP_TYPE_FLAG_NONE;
    type->name = name;
}
#endif

// The module's initialiser. ports/natmod/natmod_entry.c defines mpy_init,
// which calls this, in an object linked first: mpy_ld.py enters the module
// with a branch that on armv6m reaches only the first 2 KiB of code.
mp_obj_t md_natmod_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    #if MD_ENABLE_HTTP && MD_MP_WORDS
    md_module_dict = MP_OBJ_FROM_PTR(self->context->module.globals);
    md_init_type(&md_words_type, MP_QSTR__words);
    #endif
    #if MD_ENABLE_HTTP
    md_init_type(&md_chunked_type, MP_QSTR_ChunkedDecoder);
    #endif
    #if MD_ENABLE_ROUTER
    md_init_type(&md_router_type, MP_QSTR_Router);
    #endif
    #if MD_MP_WS_TAKE
    md_bytes_type = &mp_type_bytes;
    #endif
    mp_store_global(MP_QSTR_NAME, MP_OBJ_NEW_QSTR(MP_QSTR_c));
    MD_INT_CONSTANTS(MD_STORE_INT)
    MD_FUNCTIONS(MD_STORE_FUNCTION)
    MP_DYNRUNTIME_INIT_EXIT
}

#else

#define MD_ROM_FUNCTION(name, obj) { MP_ROM_QSTR(name), MP_ROM_PTR(&obj) },
#define MD_ROM_INT(name, value) { MP_ROM_QSTR(name), MP_ROM_INT(value) },

static const mp_rom_map_elem_t md_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__microdot) },
    { MP_ROM_QSTR(MP_QSTR_NAME), MP_ROM_QSTR(MP_QSTR_c) },
    MD_INT_CONSTANTS(MD_ROM_INT)
    MD_FUNCTIONS(MD_ROM_FUNCTION)
};
static MP_DEFINE_CONST_DICT(md_module_globals, md_module_globals_table);

const mp_obj_module_t md_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&md_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__microdot, md_module);

#endif
