// Entry point of _microdot.mpy, linked before everything else: mpy_ld.py
// starts the module with a jump to mpy_init that on armv6m (a 16-bit Thumb
// branch) reaches only the first 2 KiB of code. The registration itself is
// md_natmod_init in cmodule/modmicrodot.c.
#include "py/dynruntime.h"

mp_obj_t md_natmod_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    return md_natmod_init(self, n_args, n_kw, args);
}
