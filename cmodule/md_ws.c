// WebSocket framing (RFC 6455 section 5) and UTF-8 validation (RFC 3629).
#include <string.h>
#include "md_ws.h"

#if MD_ENABLE_WS

int md_ws_parse_header(const uint8_t *buf, size_t len, int masked,
    uint64_t max_payload, md_ws_frame *f) {
    if (len < 2) {
        return MD_INCOMPLETE;
    }
    unsigned op = buf[0] & 0x0f, fin = buf[0] >> 7, mask = buf[1] >> 7;
    uint64_t n = buf[1] & 0x7f;
    // Fail on the first two bytes, before waiting for the rest.
    if ((buf[0] & 0x70) != 0 || (op > MD_WS_BINARY && op < MD_WS_CLOSE) || op > MD_WS_PONG
        || mask != (masked != 0) || ((op & 8) && (!fin || n > 125))) {
        return -1002;
    }
    size_t ext = n == 126 ? 2 : n == 127 ? 8 : 0, hlen = 2 + ext + 4 * mask;
    if (len < hlen) {
        return MD_INCOMPLETE;
    }
    if (ext != 0) {
        n = 0;
        for (size_t i = 0; i < ext; i++) {
            n = n << 8 | buf[2 + i];
        }
        // lengths must use the shortest encoding; 64-bit ones have MSB 0
        if (n >> 63 || n < (ext == 2 ? 126u : 65536u)) {
            return -1002;
        }
    }
    if (n > max_payload) {
        return -1009;
    }
    f->fin = (uint8_t)fin;
    f->opcode = (uint8_t)op;
    f->masked = (uint8_t)mask;
    memset(f->mask, 0, 4);
    if (mask) {
        memcpy(f->mask, buf + 2 + ext, 4);
    }
    f->payload_len = n;
    return (int)hlen;
}

size_t md_ws_build_header(uint8_t *out, int fin, int opcode, uint64_t len,
    const uint8_t *mask) {
    size_t ext = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
    out[1] = (uint8_t)((mask ? 0x80 : 0) | (ext == 0 ? len : ext == 2 ? 126 : 127));
    for (size_t i = 0; i < ext; i++) {
        out[2 + i] = (uint8_t)(len >> (8 * (ext - 1 - i)));
    }
    if (mask) {
        memcpy(out + 2 + ext, mask, 4);
    }
    return 2 + ext + (mask ? 4 : 0);
}

void md_ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4], uint64_t offset) {
    size_t i = 0, phase = (size_t)(offset & 3);
    // bytes up to the first word boundary, then whole words
    while (i < len && ((uintptr_t)(buf + i) & (sizeof(size_t) - 1)) != 0) {
        buf[i++] ^= mask[phase++ & 3];
    }
    if (len - i >= sizeof(size_t)) {
        uint8_t rep[sizeof(size_t)];
        for (size_t j = 0; j < sizeof(size_t); j++) {
            rep[j] = mask[(phase + j) & 3];
        }
        size_t m, w;
        memcpy(&m, rep, sizeof(m));
        for (; len - i >= sizeof(size_t); i += sizeof(size_t)) {
            memcpy(&w, buf + i, sizeof(w));
            w ^= m;
            memcpy(buf + i, &w, sizeof(w));
        }
        // a word is a multiple of 4 bytes: the phase is unchanged
    }
    for (; i < len; i++) {
        buf[i] ^= mask[phase++ & 3];
    }
}

// UTF-8 as a DFA over byte classes. States: 0 accept, 1 reject, 2..4 need
// 1..3 more continuation bytes (80..BF), 5..8 need a restricted second byte
// (after E0: A0..BF, no overlong; ED: 80..9F, no surrogate; F0: 90..BF, no
// overlong; F4: 80..8F, nothing over U+10FFFF). A byte that no valid text
// can continue with rejects at once, so a bad message fails at that byte.
//
// Classes of bytes 80..FF, a nibble each (two per byte, low nibble first):
// 1: 80..8F  2: 90..9F  3: A0..BF  4: C0, C1, F5..FF  5: C2..DF  6: E0
// 7: E1..EC, EE, EF  8: ED  9: F0  10: F1..F3  11: F4. ASCII is class 0.
static const uint8_t utf8_class[64] = {
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,     // 80..8F
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,     // 90..9F
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,     // A0..AF
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,     // B0..BF
    0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,     // C0..CF
    0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,     // D0..DF
    0x76, 0x77, 0x77, 0x77, 0x77, 0x77, 0x87, 0x77,     // E0..EF
    0xa9, 0xaa, 0x4b, 0x44, 0x44, 0x44, 0x44, 0x44,     // F0..FF
};

// Next state for [state][class]; rows for states 0 and 2..8 (1 is sticky).
static const uint8_t utf8_next[8][12] = {
    // 0    80   90   A0   bad  C2   E0   E1   ED   F0   F1   F4
    { 0, 1, 1, 1, 1, 2, 5, 3, 6, 7, 4, 8 },     // 0: accept
    { 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 },     // 2: one more
    { 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1 },     // 3: two more
    { 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },     // 4: three more
    { 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1 },     // 5: after E0
    { 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1 },     // 6: after ED
    { 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },     // 7: after F0
    { 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 },     // 8: after F4
};

uint32_t md_utf8_check(uint32_t state, const uint8_t *buf, size_t len) {
    size_t i = 0;
    while (state != MD_UTF8_REJECT && i < len) {
        if (state == MD_UTF8_ACCEPT) {
            // skip ASCII a word at a time
            size_t w;
            size_t high = (size_t)-1 / 0xff * 0x80;
            while (len - i >= sizeof(w)) {
                memcpy(&w, buf + i, sizeof(w));
                if (w & high) {
                    break;
                }
                i += sizeof(w);
            }
            if (i == len) {
                break;
            }
        }
        uint8_t b = buf[i++];
        unsigned cls = b < 0x80 ? 0 : (utf8_class[(b - 0x80) >> 1] >> ((b & 1) * 4)) & 0x0f;
        state = utf8_next[state == 0 ? 0 : state - 1][cls];
    }
    return state;
}

#endif // MD_ENABLE_WS
