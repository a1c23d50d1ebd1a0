// Host port entry point: runs one script with the `_microdot` module built in.
//
//   micropython-microdot [-X heapsize=N] SCRIPT [ARGS...]
//
// sys.argv is [SCRIPT, ARGS...]; sys.path is the script's directory followed
// by the entries of MICROPYPATH (':'-separated). Exit status: 0, the
// SystemExit code, or 1 for an uncaught exception.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "py/builtin.h"
#include "py/compile.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stackctrl.h"
#include "shared/runtime/gchelper.h"

#define DEFAULT_HEAP_SIZE (8 * 1024 * 1024)
// Recursion guard: below the usual 8 MiB main-thread stack, with a margin.
#define STACK_LIMIT (1024 * 1024)

static void append_path(const char *dir, size_t len) {
    mp_obj_list_append(mp_sys_path, mp_obj_new_str(dir, len));
}

static void init_sys(int argc, char **argv) {
    const char *script = argv[0];
    const char *slash = strrchr(script, '/');
    mp_obj_list_init(MP_OBJ_TO_PTR(mp_sys_path), 0);
    append_path(script, slash == NULL ? 0 : (size_t)(slash - script));
    const char *env = getenv("MICROPYPATH");
    while (env != NULL && *env != '\0') {
        const char *colon = strchr(env, ':');
        size_t len = colon == NULL ? strlen(env) : (size_t)(colon - env);
        append_path(env, len);
        env = colon == NULL ? NULL : colon + 1;
    }
    mp_obj_list_init(MP_OBJ_TO_PTR(mp_sys_argv), 0);
    for (int i = 0; i < argc; i++) {
        mp_obj_list_append(mp_sys_argv, mp_obj_new_str(argv[i], strlen(argv[i])));
    }
}

static int run_file(const char *path) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_lexer_t *lex = mp_lexer_new_from_file(qstr_from_str(path));
        qstr source_name = lex->source_name;
        mp_parse_tree_t tree = mp_parse(lex, MP_PARSE_FILE_INPUT);
        mp_obj_t module_fun = mp_compile(&tree, source_name, false);
        mp_call_function_0(module_fun);
        nlr_pop();
        return 0;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)),
        MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
        mp_obj_t code = mp_obj_exception_get_value(exc);
        if (code == mp_const_none) {
            return 0;
        }
        if (mp_obj_is_int(code)) {
            return mp_obj_get_int(code) & 0xff;
        }
        mp_obj_print(code, PRINT_STR);
        mp_hal_stdout_tx_strn("\n", 1);
        return 1;
    }
    mp_obj_print_exception(&mp_plat_print, exc);
    return 1;
}

int main(int argc, char **argv) {
    size_t heap_size = DEFAULT_HEAP_SIZE;
    int arg = 1;
    if (arg + 1 < argc && strcmp(argv[arg], "-X") == 0
        && strncmp(argv[arg + 1], "heapsize=", 9) == 0) {
        heap_size = strtoul(argv[arg + 1] + 9, NULL, 0);
        arg += 2;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: %s [-X heapsize=N] SCRIPT [ARGS...]\n", argv[0]);
        return 2;
    }

    mp_stack_ctrl_init();
    mp_stack_set_limit(STACK_LIMIT);
    char *heap = malloc(heap_size);
    if (heap == NULL) {
        fprintf(stderr, "cannot allocate a %zu-byte heap\n", heap_size);
        return 2;
    }
    gc_init(heap, heap + heap_size);
    mp_init();
    init_sys(argc - arg, argv + arg);
    int status = run_file(argv[arg]);
    mp_deinit();
    free(heap);
    return status;
}

void gc_collect(void) {
    gc_collect_start();
    gc_helper_collect_regs_and_stack();
    gc_collect_end();
}

mp_import_stat_t mp_import_stat(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return MP_IMPORT_STAT_DIR;
        }
        if (S_ISREG(st.st_mode)) {
            return MP_IMPORT_STAT_FILE;
        }
    }
    return MP_IMPORT_STAT_NO_EXIST;
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(STDOUT_FILENO, str + done, len - done);
        if (n <= 0) {
            break;
        }
        done += n;
    }
    return done;
}

void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len) {
    mp_hal_stdout_tx_strn(str, len);
}

void mp_hal_stdout_tx_str(const char *str) {
    mp_hal_stdout_tx_strn(str, strlen(str));
}

NORETURN void nlr_jump_fail(void *val) {
    fprintf(stderr, "FATAL: uncaught NLR %p\n", val);
    exit(1);
}

#ifndef NDEBUG
void MP_WEAK __assert_func(const char *file, int line, const char *func, const char *expr) {
    fprintf(stderr, "assertion '%s' failed in %s at %s:%d\n", expr, func, file, line);
    exit(1);
}
#endif
