#!/usr/bin/env bash
# Builds libweft (release), the test modules and the C tests of the
# WAMR-compatible API (wasm_export.h), then runs every test, and runs it
# again under valgrind when valgrind is installed. Exits non-zero if
# anything fails.
#
# Needs: cargo, cc, clang with the wasm32 target and wasm-ld (Debian: clang,
# lld, libclang-rt-14-dev-wasm32), wasi-libc for the WASI builds, wat2wasm
# (Debian: wabt); valgrind is optional.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
out="${WAMR_TEST_OUT:-$target/c-tests-wamr}"
mkdir -p "$out/plain" "$out/wasi" "$out/wat" "$out/bin"

missing=()
for tool in cargo:cargo cc:gcc clang:clang wasm-ld:lld wat2wasm:wabt; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "error: missing tools; on Debian: apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "== cargo build --release"
(cd "$root" && cargo build --release --quiet)
lib="$target/release/libweft.so"
[ -f "$lib" ] || { echo "error: $lib was not built" >&2; exit 1; }

echo "== test modules"
wasm_cc=(clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--allow-undefined)
for m in mA mB mC; do
    "${wasm_cc[@]}" -o "$out/plain/$m.wasm" "$here/wasm/$m.c"
done
"${wasm_cc[@]}" -Wl,--export=__heap_base -o "$out/plain/guide.wasm" "$here/wasm/guide.c"
# The WASI build of the example: mA and mB as reactors, mC as a command.
wasi_cc=(clang --target=wasm32-wasi -O2 -Wl,--allow-undefined)
have_wasi=0
if "${wasi_cc[@]}" -mexec-model=reactor -o "$out/wasi/mA.wasm" "$here/wasm/mA.c" 2>/dev/null; then
    have_wasi=1
    "${wasi_cc[@]}" -mexec-model=reactor -o "$out/wasi/mB.wasm" "$here/wasm/mB.c"
    "${wasi_cc[@]}" -o "$out/wasi/mC.wasm" "$here/wasm/mC.c"
    "${wasi_cc[@]}" -o "$out/wasi/wasi_echo.wasm" "$here/wasm/wasi_echo.c"
    wat2wasm -o "$out/wasi/uses_mC.wasm" "$here/wasm/uses_mC.wat"
    wat2wasm -o "$out/wasi/wasi_no_memory.wasm" "$here/wasm/wasi_no_memory.wat"
else
    echo "warning: no wasm32-wasi sysroot (wasi-libc); skipping the WASI build" >&2
fi
cp "$here/wasm/garbage.bin" "$out/wat/garbage.wasm"
for w in "$here"/wasm/*.wat; do
    wat2wasm --enable-all -o "$out/wat/$(basename "$w" .wat).wasm" "$w"
done

echo "== C tests"
cflags=(-std=c11 -Wall -Wextra -Werror -g -I "$root/wasm-c-api/include")
tests=()
for src in "$here"/test_*.c; do
    name="$(basename "$src" .c)"
    cc "${cflags[@]}" -o "$out/bin/$name" "$src" \
        -L "$target/release" -lweft -Wl,-rpath,"$target/release" -lpthread
    tests+=("$name")
done

# Each test with its arguments.
args_of() {
    case "$1" in
        test_multi_module) echo "$out/plain" ;;
        test_wasi) echo "$out/wasi" ;;
        *) echo "$out/wat $out/plain" ;;
    esac
}

status=0
run() {
    local label="$1"; shift
    if "$@"; then
        echo "PASS $label"
    else
        echo "FAIL $label" >&2
        status=1
    fi
}

runs=()
for t in "${tests[@]}"; do
    if [ "$t" = test_wasi ] && [ "$have_wasi" != 1 ]; then
        continue
    fi
    read -r -a a <<<"$(args_of "$t")"
    runs+=("$t|${a[*]}")
done
if [ "$have_wasi" = 1 ]; then
    runs+=("test_multi_module|$out/wasi wasi")
fi

for r in "${runs[@]}"; do
    t="${r%%|*}"; read -r -a a <<<"${r#*|}"
    run "$t ${a[*]}" "$out/bin/$t" "${a[@]}"
done

if command -v valgrind >/dev/null 2>&1; then
    echo "== under valgrind"
    for r in "${runs[@]}"; do
        t="${r%%|*}"; read -r -a a <<<"${r#*|}"
        run "valgrind $t ${a[*]}" valgrind -q --error-exitcode=1 --leak-check=full \
            --suppressions="$here/valgrind.supp" \
            --errors-for-leak-kinds=definite,indirect "$out/bin/$t" "${a[@]}"
    done
else
    echo "valgrind not installed: skipping the valgrind runs"
fi

if [ "$status" -ne 0 ]; then
    echo "c-tests/wamr: FAILED" >&2
else
    echo "c-tests/wamr: all passed"
fi
exit "$status"
