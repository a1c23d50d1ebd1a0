// WebSocket (RFC 6455) framing: frame header parse and build, payload
// masking, and incremental UTF-8 validation for text messages.
#ifndef MD_WS_H
#define MD_WS_H

#include <stddef.h>
#include <stdint.h>
#include "md_config.h"

#define MD_WS_CONT   (0x0)
#define MD_WS_TEXT   (0x1)
#define MD_WS_BINARY (0x2)
#define MD_WS_CLOSE  (0x8)
#define MD_WS_PING   (0x9)
#define MD_WS_PONG   (0xA)

// Longest frame header: 2 + 8 (64-bit length) + 4 (mask).
#define MD_WS_MAX_HEADER (14)

typedef struct {
    uint8_t fin;
    uint8_t opcode;
    uint8_t masked;
    uint8_t mask[4];
    uint64_t payload_len;
} md_ws_frame;

// Parses the frame header at buf[0:len).
// `masked` is 1 where frames must be masked (a server reading a client) and
// 0 where they must not be (a client reading a server).
// Returns the header length, MD_INCOMPLETE, -1002 for a protocol error (RSV
// bits set, reserved opcode, fragmented or over-125-byte control frame, wrong
// masking, non-minimal or 2^63+ length) or -1009 when payload_len exceeds
// max_payload.
// Errors visible in the first two bytes are returned as soon as they are
// there, before the extended length and mask arrive.
int md_ws_parse_header(const uint8_t *buf, size_t len, int masked,
    uint64_t max_payload, md_ws_frame *f);

// Writes a frame header to out[0:MD_WS_MAX_HEADER) with the shortest length
// encoding; mask is NULL for an unmasked frame. Returns its length.
// Nothing is checked: callers keep len < 2^63, the opcode valid, and control
// frames final with len <= 125.
size_t md_ws_build_header(uint8_t *out, int fin, int opcode, uint64_t len,
    const uint8_t *mask);

// XORs buf[0:len) with the 4-byte mask in place, a machine word at a time.
// `offset` is the position of buf[0] in the payload, so a payload can be
// (un)masked in pieces.
void md_ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4], uint64_t offset);

// Incremental UTF-8 validation. Start with state MD_UTF8_ACCEPT and feed the
// bytes in any number of pieces; the result is MD_UTF8_ACCEPT when everything
// so far is valid and complete, MD_UTF8_REJECT once anything was invalid
// (overlong forms, surrogates, values over U+10FFFF included), and another
// value in the middle of a sequence. A byte that no valid text can follow
// from (E0 80, ED A0, F4 90, F5...) rejects at once, so a fragmented message
// fails at its first impossible byte.
#define MD_UTF8_ACCEPT (0)
#define MD_UTF8_REJECT (1)
uint32_t md_utf8_check(uint32_t state, const uint8_t *buf, size_t len);

#endif // MD_WS_H
