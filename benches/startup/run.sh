#!/bin/sh
# Start-to-exit time of `weft run` on a hello-world WASI command, next to the
# `wasmi` command (wasmi_cli 2.0.0) in the same run: interleaved runs, median
# and minimum per runtime. Informational (`make bench-startup`), never a gate.
# Needs clang for wasm32-wasi (Debian: clang lld wasi-libc libclang-rt-*-dev-wasm32).
# Environment: RUNS (default 50), CARGO_TARGET_DIR.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
runs=${RUNS:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin weft
weft=$target/release/weft
clang --target=wasm32-wasi -O2 benches/startup/hello.c -o "$work/hello.wasm"
if ! command -v wasmi >/dev/null 2>&1; then
    echo "wasmi not found: cargo install wasmi_cli --version 2.0.0 --locked" >&2
    exit 1
fi

# Prints the wall time of one run in microseconds.
time_us() {
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}

: >"$work/weft.txt"
: >"$work/wasmi.txt"
i=0
while [ "$i" -lt "$runs" ]; do
    time_us "$weft" run "$work/hello.wasm" >>"$work/weft.txt"
    time_us wasmi run "$work/hello.wasm" >>"$work/wasmi.txt"
    i=$((i + 1))
done

stats() { # median and minimum of a file of numbers, in ms
    sort -n "$1" | awk '{ v[NR] = $1 } END { printf "median %.2f ms, min %.2f ms", v[int((NR + 1) / 2)] / 1000, v[1] / 1000 }'
}
echo "hello-world start to exit, $runs interleaved runs each:"
echo "  weft run:  $(stats "$work/weft.txt")"
echo "  wasmi run: $(stats "$work/wasmi.txt")"
