// CPython glue for the cffi backend. md_pack_request parses a head and packs
// everything Python needs into few values, so building the Python objects
// costs a handful of C-level calls instead of one per slice. The other
// functions check the caller's range themselves (Python passes the buffer,
// its length and start/end as they are) and return their results packed.
//
// The strings go into one text, separated by '\n', a byte a valid head cannot
// have inside any of them:
//     name0 \n value0 \n ... nameN-1 \n valueN-1 \n method \n path \n query \0
// (path "/" when the target has none; query empty when there is no '?'),
// or, when the names are those of a slot (MD_PACK_SEEN below), without them:
//     value0 \n ... valueN-1 \n method \n path \n query \0
// The text is valid UTF-8, since the parser checked every byte of it, so one
// decode and one split make all the strings. The numbers come back in the
// return value (MD_PACK_* bits below), content_length in the context.
#ifndef MD_PACK_H
#define MD_PACK_H

#include <stdint.h>
#include "md_http.h"
#include "md_route.h"
#include "md_util.h"
#include "md_ws.h"

// Field-name lists seen before. A client sends the same field names in the
// same order on every request, so the caller keeps one Python list of name
// strings per slot, made once: a head whose names are a slot's, byte for
// byte, leaves them out of the text (MD_PACK_SEEN), and a new list of
// names goes into a slot (MD_PACK_KEPT), the oldest one giving way.
#define MD_PACK_SLOTS   (8)    // (3 bits of the result)
#define MD_PACK_SLOT_BYTES (512)  // names + one '\n' each; longer: no slot
// Heads with fewer fields than this take no slot: for one to three fields,
// copying the kept list and putting the values in costs Python more than
// making the names (measured with callgrind: a wrk hello head is 1,500
// instructions cheaper without its slot).
#define MD_PACK_SLOT_MIN_FIELDS (4)

typedef struct {
    md_header *headers;      // caller's scratch: parsed slices
    size_t headers_cap;
    char *text;              // caller's scratch: the packed text
    size_t text_cap;
    size_t need_headers;     // out, with MD_PACK_GROW: the sizes needed
    size_t need_text;
    int64_t content_length;  // out: valid when MD_PACK_LENGTH is set
    const char *error;       // out: static message when the head is rejected
    md_limits limits;        // md_pack_limits: the limits every head gets
    // the slots (zeroed by the caller: all empty)
    char names[MD_PACK_SLOTS][MD_PACK_SLOT_BYTES];
    uint16_t names_len[MD_PACK_SLOTS];   // 0: empty
    uint8_t names_distinct[MD_PACK_SLOTS];
    unsigned names_next;                 // the slot the next new list takes
} md_pack;

// Bits of a successful result; the head length is result >> MD_PACK_SHIFT.
// The low bits are md_http.h's MD_F_* flags (MD_F_QUERY included). (Python
// handles results below 2 ** 30, heads up to 2 KB here, fastest.)
#define MD_PACK_MINOR   (32)    // HTTP/1.1
#define MD_PACK_LENGTH  (64)    // a Content-Length was given
#define MD_PACK_DISTINCT (128)  // no two field names are equal ignoring case
#define MD_PACK_SEEN    (256)   // the names are the slot's: not in the text
#define MD_PACK_KEPT    (512)   // the names (in the text) went into the slot
#define MD_PACK_SLOT_SHIFT (10) // (result >> 10) & 7: the slot of the names
// (result >> MD_PACK_COOKIE_SHIFT) & 63 is 1 + the index of the field that
// is the head's only Cookie field when its value is a plain browser list
// ("a=1; b=2": parts separated by "; ", each with exactly one '=', no other
// ';', space or tab, no name twice; at most MD_PACK_COOKIE_PARTS parts), else
// 0. Such a value splits at "; " and then '=' into the cookies, as the
// general rules would. Only given with MD_PACK_DISTINCT, for fields 0..61.
#define MD_PACK_COOKIE_SHIFT (13)
#define MD_PACK_COOKIE_MAX (62)
#define MD_PACK_COOKIE_PARTS (32)
#define MD_PACK_SHIFT   (19)

// MD_PACK_DISTINCT is only looked for in heads of at most this many fields
// (the check compares every pair of names); larger heads never have it set.
#define MD_PACK_DISTINCT_MAX (64)

// Results besides md_parse_request's MD_INCOMPLETE and -(HTTP status):
#define MD_PACK_RANGE   (-2)    // not 0 <= start <= end <= buf_len
#define MD_PACK_GROW    (-3)    // a scratch is too small: grow it, call again

// Sets the limits md_pack_request parses with (md_http.h's md_limits; the
// caller sets them once, and again when they change, rather than pass them
// in every call: each argument of a cffi call costs Python a conversion).
void md_pack_limits(md_pack *p, size_t max_line, size_t max_head,
    size_t max_headers);

// Parses buf[start:end) (buf holds buf_len bytes) with p's limits. `scanned`
// is the end of a previous call's input on the same head (md_http.h); out of
// [start, end] it counts as start. Fills p->text and returns the packed
// result.
int64_t md_pack_request(md_pack *p, const char *buf, int64_t buf_len,
    int64_t start, int64_t end, int64_t scanned);

// Empties the slots (the caller lost track of what they hold).
void md_pack_forget(md_pack *p);

// md_router_match on path[0:len), packed: -1 when no route matches from
// `start` on, else index << 8 | what. `what` is MD_PACK_VERIFY for a route
// Python must match itself, else the number of captures, plus MD_PACK_INTS
// when they are all ints. values[2 * i], values[2 * i + 1] describe capture
// i: an int is (value, -1), a string or path the slice (off, len) of path.
// caps has MD_MAX_CAPTURES slots, values twice as many.
#define MD_PACK_COUNT   (31)
#define MD_PACK_INTS    (32)
#define MD_PACK_VERIFY  (64)
int64_t md_pack_route(const uint8_t *blob, const char *path, int64_t len,
    int64_t start, md_capture *caps, int64_t *values);

// md_ws_parse_header on buf[start:end). Returns MD_PACK_RANGE, its
// MD_INCOMPLETE or -(close code), or the header length | opcode << 4, plus
// MD_PACK_FIN and MD_PACK_MASKED; the payload length is in f->payload_len,
// the mask (when there is one) the last 4 bytes of the header.
#define MD_PACK_FIN     (256)
#define MD_PACK_MASKED  (512)
int64_t md_pack_ws_header(const char *buf, int64_t buf_len, int64_t start,
    int64_t end, int masked, uint64_t max_payload, md_ws_frame *f);

// md_chunked_decode on buf[start:end). Returns MD_PACK_RANGE, -400, or
// data_end << 1 | done, with the payload now at buf[start:data_end) and
// *next the index of the first byte not consumed.
int64_t md_pack_chunked(md_chunked *c, char *buf, int64_t buf_len,
    int64_t start, int64_t end, int64_t *next);

// md_ws_mask on buf[start:end). Returns MD_PACK_RANGE (range, or a mask that
// is not 4 bytes) or 0.
int md_pack_ws_mask(char *buf, int64_t buf_len, int64_t start, int64_t end,
    const char *mask, int64_t mask_len, uint64_t offset);

// md_utf8_check on buf[start:end). Returns MD_PACK_RANGE or the new state.
int64_t md_pack_utf8_check(uint32_t state, const char *buf, int64_t buf_len,
    int64_t start, int64_t end);

// A query string or form body (md_split_query's rules, each part
// percent-decoded with '+' as a space), or with `cookies` a Cookie header
// (md_split_cookies' rules, parts as they are), split into name/value pairs
// written to `out` as "name\nvalue\nname\nvalue..." (no terminator).
// `pairs` holds 2 * cap slices and `out` out_cap bytes: cap >= len / 2 + 1
// and out_cap >= 2 * len + 2 are always enough. Returns the length written,
// MD_PACK_GROW when they are not enough, -400 when a part is not valid UTF-8
// (once decoded), or MD_PACK_NEWLINE when a part holds a '\n' (the caller
// then splits in Python).
#define MD_PACK_NEWLINE (-4)
int64_t md_pack_pairs(const char *s, int64_t len, int cookies,
    md_slice *pairs, int64_t cap, char *out, int64_t out_cap);

#endif // MD_PACK_H
