# The `_microdot` user C module for CMake-based MicroPython ports (esp32, rp2):
#   make USER_C_MODULES=/path/to/this/repository/micropython.cmake
set(MICRODOT_DIR ${CMAKE_CURRENT_LIST_DIR}/cmodule)

add_library(usermod_microdot INTERFACE)

target_sources(usermod_microdot INTERFACE
    ${MICRODOT_DIR}/modmicrodot.c
    ${MICRODOT_DIR}/md_http.c
    ${MICRODOT_DIR}/md_util.c
    ${MICRODOT_DIR}/md_route.c
    ${MICRODOT_DIR}/md_ws.c
)

target_include_directories(usermod_microdot INTERFACE ${MICRODOT_DIR})

target_link_libraries(usermod INTERFACE usermod_microdot)
