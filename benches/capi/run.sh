#!/bin/sh
# Builds libweft with the dist profile (whole-program optimisation) and
# reports the C API's call costs. Usage: benches/capi/run.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
profile=${PROFILE:-dist}
lib=$target/$profile
build=$root/benches/build
mkdir -p "$build"
cargo build --profile "$profile" --quiet --lib --example wat2wasm
"$lib/examples/wat2wasm" benches/capi/bench.wat "$build/capi_bench.wasm"
cc -std=c11 -O2 -Wall -Wextra -Werror -I wasm-c-api/include benches/capi/bench.c -o "$build/capi_bench" \
  -L"$lib" -lweft -Wl,-rpath,"$lib"
"$build/capi_bench" "$build/capi_bench.wasm"
