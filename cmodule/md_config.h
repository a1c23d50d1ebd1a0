// Feature switches and default limits of the microdot C core.
//
// Every switch is `#ifndef`-guarded so a build can override it with -D or by
// pointing MD_CONFIG_FILE at a header of its own.  Turning a part off removes
// its code from the firmware and its functions from the `_microdot` module;
// the façade then uses the pure-Python twin of that part.
#ifndef MD_CONFIG_H
#define MD_CONFIG_H

#ifdef MD_CONFIG_FILE
#include MD_CONFIG_FILE
#endif

// HTTP/1.x request head parser and body framing (Content-Length, chunked).
#ifndef MD_ENABLE_HTTP
#define MD_ENABLE_HTTP (1)
#endif

// URL route compiler and matcher.
#ifndef MD_ENABLE_ROUTER
#define MD_ENABLE_ROUTER (1)
#endif

// WebSocket frame header parse/build, masking, UTF-8 validation.
#ifndef MD_ENABLE_WS
#define MD_ENABLE_WS (1)
#endif

// Percent-decoding and query/form/cookie splitting.
#ifndef MD_ENABLE_UTIL
#define MD_ENABLE_UTIL (1)
#endif

// Bytes of trailer section accepted after the last chunk of a chunked body.
#ifndef MD_MAX_TRAILER
#define MD_MAX_TRAILER (4096)
#endif

// Bytes of chunk extensions accepted on one chunk-size line.
#ifndef MD_MAX_CHUNK_EXT
#define MD_MAX_CHUNK_EXT (1024)
#endif

// Most captures one route pattern may declare.
#ifndef MD_MAX_CAPTURES
#define MD_MAX_CAPTURES (16)
#endif

// Return value meaning "the input ends before the thing being parsed does".
#define MD_INCOMPLETE (-1)

#endif // MD_CONFIG_H
