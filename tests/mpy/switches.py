"""Checks that a _microdot build has exactly the functions of the parts its
MD_ENABLE_* switches kept.

usage: micropython switches.py PART[,PART...]   (PARTs: http router ws util)"""
import sys

import _microdot

PARTS = {
    'http': ('parse_request', 'new_chunked', 'chunked_decode'),
    'router': ('compile_router', 'match_route'),
    'ws': ('ws_parse_header', 'ws_build_header', 'ws_mask', 'utf8_check'),
    'util': ('url_decode', 'parse_query', 'parse_cookies'),
}
ALWAYS = ('NAME', 'F_CHUNKED', 'F_KEEP_ALIVE', 'F_EXPECT_CONTINUE', 'F_UPGRADE')

enabled = sys.argv[1].split(',') if len(sys.argv) > 1 and sys.argv[1] else []
passed = failed = 0
for name in ALWAYS:
    if hasattr(_microdot, name):
        passed += 1
    else:
        failed += 1
        print('FAIL: %s missing' % name)
for part, names in PARTS.items():
    for name in names:
        if hasattr(_microdot, name) == (part in enabled):
            passed += 1
        else:
            failed += 1
            print('FAIL: %s %s' % (name, 'missing' if part in enabled else 'present'))
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
