// romfs_flash: a ROMFS image in read-only memory outside the GC heap, for
// MicroPython's unix port, where it stands in for a board's ROMFS flash
// partition. The image (built by ports/romfs/build.py with mpremote) is this
// module's read-only data; the unix port loads a native module's code and
// read-only data into executable memory it maps outside the heap, so the
// image costs the heap nothing, as flash would not.
//
//     import romfs_flash, uctypes, vfs
//     image = uctypes.bytearray_at(romfs_flash.address(), romfs_flash.size())
//     vfs.mount(vfs.VfsRom(image), '/rom')
//
// ports/romfs/boot.py does this and then runs an app from the image.
#include "py/dynruntime.h"

// romfs_image[] and ROMFS_IMAGE_SIZE, generated from the image by
// ports/romfs/gen_image.py
#include "romfs_image.h"

static mp_obj_t romfs_flash_address(void) {
    return mp_obj_new_int_from_uint((uintptr_t)romfs_image);
}
static MP_DEFINE_CONST_FUN_OBJ_0(romfs_flash_address_obj, romfs_flash_address);

static mp_obj_t romfs_flash_size(void) {
    return mp_obj_new_int_from_uint(ROMFS_IMAGE_SIZE);
}
static MP_DEFINE_CONST_FUN_OBJ_0(romfs_flash_size_obj, romfs_flash_size);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_address, MP_OBJ_FROM_PTR(&romfs_flash_address_obj));
    mp_store_global(MP_QSTR_size, MP_OBJ_FROM_PTR(&romfs_flash_size_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
