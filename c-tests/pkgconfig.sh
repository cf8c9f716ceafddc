#!/bin/sh
# Packaging test (cargo-c + pkg-config). Installs Weft with
# `cargo cinstall --release` into a fresh prefix, $CARGO_TARGET_DIR/pkgconfig-test/prefix
# (emptied first; a fixed path because cargo-c rebuilds everything from
# scratch whenever the install paths change), then checks:
#   - the installed files: lib/libweft.so (and the file its SONAME names),
#     lib/libweft.a, lib/pkgconfig/weft.pc, include/wasm.h, wasm_export.h,
#     lib_export.h (and weft.h when the source tree has it);
#   - `readelf -d libweft.so` shows a SONAME, libweft.so.<version>;
#   - c-tests/pkgconfig/app.c, built with nothing but
#     `pkg-config --cflags --libs weft`, runs and prints what it should:
#     against the shared library, against the static one, and against the
#     build tree through weft-uninstalled.pc (no install needed);
#   - the installed headers compile with only pkg-config's flags.
# Needs cargo-c 0.10.24 (cargo install cargo-c --version 0.10.24 --locked),
# pkg-config, cc and readelf. Exits non-zero on the first failure.
# Environment: CARGO_TARGET_DIR (default: target).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
host=$(rustc -vV | sed -n 's/^host: //p')
build=$target/$host/release # where cargo cbuild leaves its outputs

for tool in cargo-cbuild pkg-config cc readelf; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL pkgconfig: $tool is not installed (cargo-c: cargo install cargo-c --version 0.10.24 --locked)"
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$target/pkgconfig-test/prefix
rm -rf "$prefix"
fail() {
  echo "FAIL pkgconfig: $*"
  exit 1
}
expected='add_twice(2, 3) = 10
host function called 1 time(s)'

# 1. Install into the prefix (libdir fixed to lib: on Debian cargo-c
#    would otherwise pick lib/<multiarch>).
cargo cinstall --release --prefix="$prefix" --libdir=lib >"$tmp/cinstall.log" 2>&1 ||
  { cat "$tmp/cinstall.log"; fail "cargo cinstall failed"; }
lib=$prefix/lib
headers="wasm.h wasm_export.h lib_export.h"
[ -e wasm-c-api/include/weft.h ] && headers="$headers weft.h"
for f in lib/libweft.so lib/libweft.a lib/pkgconfig/weft.pc $(printf 'include/%s ' $headers); do
  [ -f "$prefix/$f" ] || fail "missing $f in the installed tree: $(cd "$prefix" && find . -type f | tr '\n' ' ')"
done
for h in $headers; do
  cmp -s "wasm-c-api/include/$h" "$prefix/include/$h" || fail "installed include/$h differs from wasm-c-api/include/$h"
done
echo "ok   pkgconfig: cargo cinstall installed libweft.so, libweft.a, weft.pc and $headers"

# 2. The SONAME, and the file it names is installed.
soname=$(readelf -d "$lib/libweft.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
case $soname in
  libweft.so.[0-9]*) ;;
  *) fail "libweft.so has no versioned SONAME (readelf -d: '$soname')" ;;
esac
[ -f "$lib/$soname" ] || fail "the SONAME $soname is not installed in $lib"
echo "ok   pkgconfig: SONAME $soname"

# 3. pkg-config: the flags put the headers on the include path.
export PKG_CONFIG_PATH="$lib/pkgconfig"
cflags=$(pkg-config --cflags weft)
libs=$(pkg-config --libs weft)
[ "$(pkg-config --variable=includedir weft)" = "$prefix/include" ] ||
  fail "weft.pc's includedir is $(pkg-config --variable=includedir weft), not $prefix/include"
case " $cflags " in
  *" -I$prefix/include "*) ;;
  *) fail "pkg-config --cflags weft gives '$cflags', not -I$prefix/include" ;;
esac
echo "ok   pkgconfig: pkg-config --cflags --libs weft: $cflags $libs"

# 4. Each installed header compiles on its own with only those flags (C and C++).
for h in $headers; do
  printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$tmp/inc.c"
  cc -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags "$tmp/inc.c" ||
    fail "#include <$h> does not compile as C11 with pkg-config's flags"
  c++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only -x c++ $cflags "$tmp/inc.c" ||
    fail "#include <$h> does not compile as C++17 with pkg-config's flags"
done
echo "ok   pkgconfig: #include <...> of each installed header compiles (C11, C++17)"

check_run() { # check_run WHAT COMMAND...
  what=$1
  shift
  "$@" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "$what: the program failed"; }
  [ "$(cat "$tmp/out")" = "$expected" ] ||
    { printf 'expected:\n%s\ngot:\n%s\n' "$expected" "$(cat "$tmp/out")"; fail "$what: wrong output"; }
  echo "ok   pkgconfig: $what"
}

# 5. A program against the installed shared library: once found through
#    LD_LIBRARY_PATH, once through an rpath.
cc -std=c11 -Wall -Wextra -Werror c-tests/pkgconfig/app.c -o "$tmp/app" $cflags $libs ||
  fail "cc app.c \$(pkg-config --cflags --libs weft) failed"
readelf -d "$tmp/app" | grep -q "NEEDED.*\[$soname\]" || fail "app does not record $soname as NEEDED"
check_run "app (shared, LD_LIBRARY_PATH) prints the expected output" env LD_LIBRARY_PATH="$lib" "$tmp/app"
cc -std=c11 c-tests/pkgconfig/app.c -o "$tmp/app-rpath" $cflags $libs -Wl,-rpath,"$(pkg-config --variable=libdir weft)"
check_run "app (shared, rpath) prints the expected output" "$tmp/app-rpath"

# 6. The same program linked statically against libweft.a, with the system
#    libraries weft.pc lists in Libs.private.
private=$(pkg-config --static --libs-only-l weft | sed 's/\(^\| \)-lweft\( \|$\)/ /')
cc -std=c11 c-tests/pkgconfig/app.c -o "$tmp/app-static" $cflags "$lib/libweft.a" $private ||
  fail "static link against libweft.a with Libs.private ($private) failed"
if readelf -d "$tmp/app-static" | grep -q 'NEEDED.*libweft'; then fail "app-static still needs libweft.so"; fi
check_run "app (static libweft.a) prints the expected output" "$tmp/app-static"

# 7. Without installing: weft-uninstalled.pc in the cargo cbuild output
#    (cinstall above has just built it there) points at the build tree.
[ -f "$build/weft-uninstalled.pc" ] || fail "no $build/weft-uninstalled.pc"
# cargo cbuild leaves no file named after the SONAME in the build tree; the
# program needs one at run time (make lib adds the same link).
ln -sf libweft.so "$build/$soname"
export PKG_CONFIG_PATH="$build"
ucflags=$(pkg-config --cflags weft-uninstalled)
ulibs=$(pkg-config --libs weft-uninstalled)
for h in $headers; do
  [ -f "$build/include/$h" ] || fail "the build tree has no include/$h for weft-uninstalled.pc"
done
cc -std=c11 -Wall -Wextra -Werror c-tests/pkgconfig/app.c -o "$tmp/app-uninstalled" $ucflags $ulibs -Wl,-rpath,"$build"
check_run "app (build tree, weft-uninstalled.pc) prints the expected output" "$tmp/app-uninstalled"
echo "pkgconfig: all passed"
