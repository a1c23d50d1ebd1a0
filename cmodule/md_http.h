// HTTP/1.x request head parser and body framing, in the style of
// picohttpparser: the caller owns every buffer, outputs are (offset, length)
// slices of the caller's input, nothing is allocated and nothing is read at or
// past `len`.
//
// Return protocol of every parser here:
//   > 0 or >= 0      success (what the number means is stated per function)
//   MD_INCOMPLETE    (-1) the input ends before the element does: call again
//                    with more bytes
//   < -1             rejected: minus the HTTP status to answer with
//                    (-400, -413, -414, -417, -431, -501, -505), and `error`
//                    (where the function has one) points at a static message.
#ifndef MD_HTTP_H
#define MD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "md_config.h"

typedef struct {
    size_t off;
    size_t len;
} md_slice;

typedef struct {
    md_slice name;      // as sent (case preserved), a token
    md_slice value;     // leading and trailing whitespace removed
} md_header;

// Connection-level facts derived from the head, so the caller never rescans
// the headers to frame the body or decide on keep-alive.
#define MD_F_CHUNKED          (1)   // Transfer-Encoding: chunked
#define MD_F_KEEP_ALIVE       (2)   // connection persists (version + Connection)
#define MD_F_EXPECT_CONTINUE  (4)   // Expect: 100-continue
#define MD_F_UPGRADE          (8)   // Connection: upgrade and an Upgrade header
#define MD_F_QUERY            (16)  // the target had a '?': `query` is valid

typedef struct {
    size_t max_line;     // request line longer than this -> -414
    size_t max_head;     // whole head longer than this -> -431
    size_t max_headers;  // more header fields than this -> -431
} md_limits;

typedef struct {
    md_slice method;
    md_slice target;        // the request-target exactly as sent
    md_slice path;          // origin path: for absolute-form the part after
                            // the authority (len 0 when it has none), for
                            // asterisk-form the '*'; never includes '?'
    md_slice query;         // after '?', valid when flags & MD_F_QUERY
    int minor_version;      // 0 or 1
    md_header *headers;     // caller's array
    size_t num_headers;     // in: capacity of `headers`; out: fields found
    int64_t content_length; // -1 when the request has no Content-Length
    unsigned flags;         // MD_F_*
    const char *error;      // static message when the head is rejected
} md_request;

// Parses the request head at buf[0:len).
// `scanned` is how many bytes a previous call on the same buffer already saw
// without finding the end of the head (0 on the first call): the search for
// the blank line then costs only the new bytes, so a client that trickles its
// head in one byte at a time costs O(n) in total, not O(n^2).
// Returns the length of the head including its final blank line.
//
// Strict per RFC 9112: token characters in the method and field names, no
// whitespace before the colon, no obs-fold, no control characters (other than
// HTAB in values), field values must be valid UTF-8, HTTP/1.0 and HTTP/1.1
// only (-505 for other versions), exactly one Host for HTTP/1.1. Bare LF line
// endings are accepted. Content-Length must be digits only and agree when
// repeated; Transfer-Encoding must be exactly "chunked" (-501 for other
// codings); both together, or Transfer-Encoding on HTTP/1.0, are rejected.
// An Expect other than 100-continue gives -417.
// An unfinished head is only ever rejected for its size (414, 431); once the
// blank line is in, the first problem from left to right decides (the exact
// rules open md_http.c), so the answer does not depend on how the bytes were
// split. More fields than min(max_headers, capacity of `headers`) -> -431.
int md_parse_request(const uint8_t *buf, size_t len, size_t scanned,
    const md_limits *limits, md_request *req);

// Incremental decoder of a chunked body (RFC 9112 section 7.1).
typedef struct {
    uint64_t remaining;     // data bytes left in the current chunk
    uint32_t counter;       // bytes seen of the current size line or trailer
    uint8_t phase;          // internal state
    uint8_t hex_digits;     // significant digits seen in the size
} md_chunked;

void md_chunked_init(md_chunked *c);

// Decodes buf[0:len) in place: the payload found in it is moved to the front,
// buf[0:*out_len). *consumed is how many input bytes were used: `len` while
// the body goes on, less once it has ended (the rest belongs to the next
// request). Chunk extensions are skipped (at most MD_MAX_CHUNK_EXT bytes per
// line) and trailers discarded (at most MD_MAX_TRAILER bytes).
// Returns 1 when the last chunk and the trailers are complete, 0 when more
// input is needed, -400 on malformed framing or a chunk size over 2^63.
int md_chunked_decode(md_chunked *c, uint8_t *buf, size_t len,
    size_t *out_len, size_t *consumed);

#endif // MD_HTTP_H
