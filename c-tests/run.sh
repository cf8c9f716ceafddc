#!/bin/sh
# Builds libweft (release), converts the tests' modules (wat/*.wat) with the
# wat2wasm example, compiles every C test against wasm-c-api/include and
# libweft.so (as C11, and checks that it also compiles as C++17), and runs
# each one, under valgrind when it is installed. Prints "N passed, M failed"
# and exits non-zero on any failure.
# Usage: c-tests/run.sh [TEST...]   (default: every c-tests/*.c)
# Environment: CARGO_TARGET_DIR (default: target), NO_VALGRIND=1 to skip
# valgrind, PROFILE=debug to test a debug build (quicker to build).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
profile=${PROFILE:-release}
lib=$target/$profile
build=$root/c-tests/build
mkdir -p "$build"

if [ "$profile" = release ]; then release=--release; else release=; fi
cargo build $release --quiet --lib --example wat2wasm
for w in c-tests/wat/*.wat; do
  "$lib/examples/wat2wasm" "$w" "$build/$(basename "$w" .wat).wasm"
done

if [ $# -gt 0 ]; then tests="$*"; else tests=$(cd c-tests && ls *.c | sed 's/\.c$//'); fi

valgrind=""
if [ -z "${NO_VALGRIND:-}" ] && command -v valgrind >/dev/null 2>&1; then
  valgrind="valgrind -q --error-exitcode=1 --suppressions=$root/c-tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
fi

passed=0
failed=0
for t in $tests; do
  # Each test must also compile as C++17 (the header's C++ side).
  if ! c++ -std=c++17 -Wall -Wextra -Werror -x c++ -fsyntax-only -I wasm-c-api/include -I c-tests \
      "c-tests/$t.c"; then
    echo "FAIL $t (C++17 compile)"; failed=$((failed + 1)); continue
  fi
  if ! cc -std=c11 -Wall -Wextra -Werror -O1 -g -I wasm-c-api/include -I c-tests \
      "c-tests/$t.c" -o "$build/$t" -L"$lib" -lweft -Wl,-rpath,"$lib" -lpthread; then
    echo "FAIL $t (compile)"; failed=$((failed + 1)); continue
  fi
  if WASM_DIR=$build WEFT_UNDER_VALGRIND=${valgrind:+1} $valgrind "$build/$t" >"$build/$t.out" 2>&1; then
    echo "ok   $t"; passed=$((passed + 1))
  else
    echo "FAIL $t"; sed 's/^/    /' "$build/$t.out"; failed=$((failed + 1))
  fi
done
echo "c-tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
