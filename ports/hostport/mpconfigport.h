// Configuration of the host port: a Python with the core language, sys, gc,
// io and the `_microdot` user C module, and no extmod (the source tree this
// port builds from has none).
#include <stdint.h>
#include <alloca.h>
#include <limits.h>

#define MICROPY_CONFIG_ROM_LEVEL          (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

#define MICROPY_ENABLE_GC                 (1)
#define MICROPY_STACK_CHECK               (1)
#define MICROPY_ENABLE_COMPILER           (1)
#define MICROPY_READER_POSIX              (1)
#define MICROPY_ENABLE_EXTERNAL_IMPORT    (1)
#define MICROPY_ALLOC_PATH_MAX            (PATH_MAX)
#define MICROPY_LONGINT_IMPL              (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_FLOAT_IMPL                (MICROPY_FLOAT_IMPL_DOUBLE)
#define MICROPY_ERROR_REPORTING           (MICROPY_ERROR_REPORTING_DETAILED)
#define MICROPY_USE_INTERNAL_PRINTF       (0)
#define MICROPY_HELPER_REPL               (0)
#define MICROPY_PY_SYS_PLATFORM           "microdot-host"
#define MICROPY_HW_BOARD_NAME             "host"
#define MICROPY_HW_MCU_NAME               "host"
#define MICROPY_PY_BUILTINS_HELP          (0)
#define MICROPY_PY_BUILTINS_INPUT         (0)
#define MICROPY_PY_SYS_STDFILES           (0)
#define MICROPY_PY_IO                     (0)
#define MICROPY_PY_OS                     (0)
#define MICROPY_PY_TIME                   (0)
#define MICROPY_PY_SELECT                 (0)
#define MICROPY_PY_MACHINE                (0)
#define MICROPY_PY_UCTYPES                (0)
#define MICROPY_GCREGS_SETJMP             (1)

#define MP_SSIZE_MAX                      (0x7fffffffffffffffL)
typedef long mp_int_t;
typedef unsigned long mp_uint_t;
typedef long mp_off_t;

#define MP_PLAT_PRINT_STRN(str, len)      mp_hal_stdout_tx_strn_cooked(str, len)
#define MP_STATE_PORT                     MP_STATE_VM
