// URL route patterns, compiled once into a caller-owned blob and matched
// many at a time.
//
// Pattern syntax (Microdot's): '/'-separated segments, each either literal
// text or a whole-segment component `<name>`, `<type:name>` or
// `<re:REGEX:name>`. Built-in types, matched and converted here:
//   string (the default)  one or more characters other than '/'
//   int                   -?[0-9]+, at most 18 digits, converted to int64
//   path                  one or more characters, '/' included (the rest)
// Any other type (`re`, or a name given to URLPattern.register_type) makes the
// route a "verify" route: only its literal segments before the first such
// component are checked here, and the caller matches the rest in Python.
//
// Matching is against the raw (still percent-encoded) path; captured text is
// reported as slices of it for the caller to decode.
//
// Details (every backend follows them; tests/vectors/routes.json pins them):
// - One leading '/' of a pattern is dropped and the rest split on '/'; the
//   same is done to the path, which must start with '/' (else no match). So
//   '/a/' is the segments 'a' and '' and differs from '/a'; '' equals '/'.
// - A segment starting with '<' is a component and must end with '>'. A
//   literal segment may not contain '<' or '>', and a component may not
//   contain '/' (a regex included). Malformed: unbalanced brackets, an empty
//   type, name or regex, '<re:name>', more than one ':' for a type other than
//   re, more than MD_MAX_CAPTURES components or more than 32 segments checked
//   here, a segment over 65535 bytes, more than 65535 patterns.
// - Literal segments compare byte for byte with the raw path segment.
// - int: an optional '-' and 1 to 18 ASCII digits (leading zeros allowed).
// - path: takes as many whole segments as leave exactly enough for the rest
//   of the pattern; it must be at least one character long, so '/f/<path:p>'
//   matches '/f/a/' (p = 'a/') and '/f//' (p = '/') but not '/f/'.
// - A route with a component of another type, or with a second path
//   component, is a verify route: only its leading literal segments (before
//   its first component of any type) are checked here, and the path must
//   have at least one more segment after them.
// - The caller decodes captured text; when a decoded capture is not valid
//   UTF-8 the route does not match, and the caller searches again with
//   start = index + 1.
#ifndef MD_ROUTE_H
#define MD_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include "md_config.h"
#include "md_http.h"

#define MD_CAP_STRING (1)
#define MD_CAP_INT    (2)
#define MD_CAP_PATH   (3)

typedef struct {
    uint8_t type;       // MD_CAP_*
    md_slice text;      // slice of the path
    int64_t value;      // the number, for MD_CAP_INT
} md_capture;

// Compiles the n patterns text[patterns[i]] into blob[0:cap).
// Call with blob == NULL (or a cap too small) to learn the size needed.
// Returns the blob size in bytes (which may exceed cap: then nothing useful
// was written), or -400 when pattern *bad_index is malformed.
// The size needed is an upper bound that includes scratch space; the call
// that writes returns the bytes the router really uses (<= cap), and the
// caller may keep just blob[0:that). The blob needs no alignment.
long md_router_build(const uint8_t *text, const md_slice *patterns, size_t n,
    uint8_t *blob, size_t cap, size_t *bad_index);

// Finds the first pattern, in the order given to md_router_build and with
// index >= start, that matches path[0:len).
// Returns its index, or -1 when none does. For a built-in-only route,
// caps[0:*ncaps) are its captures in pattern order (*ncaps in: capacity, at
// least MD_MAX_CAPTURES). For a verify route *verify is set to 1 and *ncaps
// to 0. The blob must be one md_router_build wrote.
long md_router_match(const uint8_t *blob, const uint8_t *path, size_t len,
    size_t start, md_capture *caps, size_t *ncaps, int *verify);

#endif // MD_ROUTE_H
