#!/bin/sh
# Runs tools/mpy_ld.py, adding the libgcc helpers the objects call.
#
# A .mpy is linked by mpy_ld.py against nothing but MicroPython's function
# table, while gcc calls libgcc for what a small core lacks in hardware or
# in instructions (64-bit multiply and divide on Cortex-M0, Thumb-1 switch
# tables...). The members of libgcc.a that define the objects' undefined
# symbols, and the members those need in turn, are extracted and linked too.
#
# usage: link.sh CC_WITH_FLAGS -- PYTHON MPY_LD_PY ARGS...
set -eu
cc=""
while [ "$1" != "--" ]; do cc="${cc:+$cc }$1"; shift; done
shift

objs=""
out=""
prev=""
for a in "$@"; do
    case "$a" in *.o) objs="$objs $a" ;; esac
    [ "$prev" = "-o" ] && out=$a
    prev=$a
done
case " $* " in *" --preprocess "*) exec "$@" ;; esac

libgcc=$($cc -print-libgcc-file-name)
nm=$(dirname "$(command -v ${cc%% *})")/$(basename "${cc%% *}" | sed 's/gcc$/nm/')
ar=$(echo "$nm" | sed 's/nm$/ar/')
[ -f "$libgcc" ] && [ -x "$nm" ] || exec "$@"

dir=$(dirname "$out")/libgcc
rm -rf "$dir"
mkdir -p "$dir"
index=$("$nm" -A --defined-only "$libgcc" 2>/dev/null | awk '$2 ~ /^[TtDdRrBbWV]$/ { n = split($1, p, ":"); print $3, p[n - 1] }')

members=""
todo=$objs
while [ -n "$todo" ]; do
    # shellcheck disable=SC2086
    defined=$("$nm" --defined-only $objs 2>/dev/null | awk 'NF == 3 { print $3 }')
    # shellcheck disable=SC2086
    wanted=$("$nm" -u $todo 2>/dev/null | awk 'NF >= 2 { print $2 }' | sort -u)
    todo=""
    for sym in $wanted; do
        echo "$defined" | grep -qx "$sym" && continue
        member=$(echo "$index" | awk -v s="$sym" '$1 == s { print $2; exit }')
        [ -n "$member" ] || continue
        case " $members " in *" $member "*) continue ;; esac
        members="$members $member"
        (cd "$dir" && "$ar" x "$libgcc" "$member")
        objs="$objs $dir/$member"
        todo="$todo $dir/$member"
    done
done

[ -n "$members" ] && echo "libgcc:$members" >&2
# shellcheck disable=SC2086
exec "$@" $(for m in $members; do echo "$dir/$m"; done)
