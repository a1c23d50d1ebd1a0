# The `_microdot` user C module for make-based MicroPython ports:
#   make USER_C_MODULES=/path/to/the/directory/holding/this/repository
MICRODOT_DIR := $(USERMOD_DIR)/cmodule

# The binding is scanned for qstrs; the core has none.
SRC_USERMOD_C += $(MICRODOT_DIR)/modmicrodot.c
SRC_USERMOD_LIB_C += \
	$(MICRODOT_DIR)/md_http.c \
	$(MICRODOT_DIR)/md_util.c \
	$(MICRODOT_DIR)/md_route.c \
	$(MICRODOT_DIR)/md_ws.c \

CFLAGS_USERMOD += -I$(MICRODOT_DIR)

