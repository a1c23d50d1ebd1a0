// Percent-decoding and the splitting of query strings, form bodies and
// cookie headers. Outputs are written to caller buffers or reported as
// slices of the input; nothing is allocated.
#ifndef MD_UTIL_H
#define MD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "md_config.h"
#include "md_http.h"

// Percent-decodes src[0:len) into dst (which may be src: decoding never
// grows). With `plus` set, '+' becomes a space (form encoding). An escape
// that is not '%' followed by two hex digits is copied as it is.
// Returns the decoded length, or -400 when the result is not valid UTF-8.
long md_url_decode(const uint8_t *src, size_t len, uint8_t *dst, int plus);

// Splits a query string or form body at '&' into name/value pairs (split at
// the first '='; a pair with no '=' has an empty value; empty pairs are
// skipped). Slices are of the still-encoded input.
// `pairs` holds 2 * cap slices: name then value. Returns the number of pairs
// found, or -413 if there are more than `cap`.
long md_split_query(const uint8_t *s, size_t len, md_slice *pairs, size_t cap);

// Splits a Cookie header at ';' into name/value pairs, trimming spaces around
// each; a pair with no '=' is skipped. Values are not decoded. Same return as
// md_split_query. (Spaces and tabs are trimmed around both the name and the
// value; an empty name is kept.)
long md_split_cookies(const uint8_t *s, size_t len, md_slice *pairs, size_t cap);

#endif // MD_UTIL_H
