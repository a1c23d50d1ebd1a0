"""Runs MicroPython 1.23's tools/mpy_ld.py, taught one Xtensa relocation that
Debian's gcc-xtensa-lx106 (binutils 2.40) emits and it does not know.

    python mpy_ld_compat.py MPY_DIR/tools/mpy_ld.py ARGS...

R_XTENSA_ASM_EXPAND marks an `l32r a0, literal; callx0 a0` sequence that a
linker may relax into a direct call. It asks for no change to the code (the
literal has its own relocation), so a linker that does not relax skips it."""
import os
import sys

R_XTENSA_ASM_EXPAND = 11

tool = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
import mpy_ld  # noqa: E402

_do_relocation_text = mpy_ld.do_relocation_text


def do_relocation_text(env, text_addr, r):
    if env.arch.name == 'EM_XTENSA' and \
            r['r_info_type'] == R_XTENSA_ASM_EXPAND:
        return
    _do_relocation_text(env, text_addr, r)


mpy_ld.do_relocation_text = do_relocation_text
sys.argv = [tool] + sys.argv[2:]
mpy_ld.main()
