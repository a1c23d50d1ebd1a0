// Hardware abstraction of the host port: stdio only.
#include <unistd.h>

// No machine.Pin here; defining the type keeps py/mphal.h from asking for
// extmod/virtpin.h, which this source tree does not have.
#define mp_hal_pin_obj_t void *

static inline void mp_hal_set_interrupt_char(char c) {
    (void)c;
}
