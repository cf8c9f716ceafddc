# Weft developer entry points. `make demo` builds and runs a small demo;
# `make test` is the full test gate (format, lints, every test).
# Target names are stable: scripts (.ci/run) and docs rely on them.

CARGO ?= cargo

# The C library (cargo-c 0.10.24: `cargo install cargo-c --version 0.10.24 --locked`).
# make install PREFIX=/opt/weft [LIBDIR=lib] [DESTDIR=/staging]
PREFIX ?= /usr/local
LIBDIR ?= lib
DESTDIR ?=
CAPI_FLAGS = --release --prefix=$(PREFIX) --libdir=$(LIBDIR)
# Where cargo cbuild leaves its outputs (it always builds for an explicit target).
CAPI_BUILD_DIR = $(abspath $(or $(CARGO_TARGET_DIR),target))/$(shell rustc -vV | sed -n 's/^host: //p')/release

.PHONY: fuzz bench-startup all demo test fmt fmt-check clippy cargo-test c-tests c-tests-capi c-tests-wamr bench clean help
.PHONY: bench-micro bench-startup-modules bench-suite-check bench-layouts
.PHONY: lib install pkgconfig pkgconfig-test

all: test

## demo: build (release) and run examples/demo.rs
demo:
	$(CARGO) run --release --example demo

## test: the full gate: formatting, clippy -D warnings, every Rust test in release mode, then the C tests and the packaging test
test: fmt-check clippy cargo-test c-tests pkgconfig-test

## fmt-check: fail if any file is not formatted
fmt-check:
	$(CARGO) fmt --check

## clippy: lints on all targets, warnings are errors
clippy:
	$(CARGO) clippy --all-targets -- -D warnings

## cargo-test: cargo test --release: unit tests, integration tests (tests/) and the spec suite (spectests/)
# The library is built first so that target/release/libweft.so exists for
# the tests that inspect it (cargo test leaves it in target/release/deps).
# --no-fail-fast: report every failing test binary, not just the first.
cargo-test:
	$(CARGO) build --release --lib
	$(CARGO) test --release --no-fail-fast

## c-tests: the C programs against libweft (wasm.h and wasm_export.h), under valgrind when installed
c-tests: c-tests-capi c-tests-wamr

## c-tests-capi: C programs written against wasm.h (c-tests/*.c)
c-tests-capi:
	sh c-tests/run.sh

## c-tests-wamr: C programs written against wasm_export.h, multi-module included (c-tests/wamr/)
c-tests-wamr:
	bash c-tests/wamr/run.sh

## lib: build the C library with cargo-c: libweft.so (with a SONAME), libweft.a, weft.pc, weft-uninstalled.pc and the headers, in target/<host>/release
lib:
	$(CARGO) cbuild $(CAPI_FLAGS)
	@# cargo cbuild names no file after the SONAME; programs linked against the build tree need it
	cd $(CAPI_BUILD_DIR) && ln -sf libweft.so "$$(readelf -d libweft.so | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"

## install: install libweft.so, libweft.a, the headers (wasm.h, ...) and weft.pc: make install PREFIX=/usr/local LIBDIR=lib DESTDIR=
install:
	$(CARGO) cinstall $(CAPI_FLAGS) $(if $(DESTDIR),--destdir=$(DESTDIR))

## pkgconfig: make lib, then print how to link against the build tree without installing (weft-uninstalled.pc)
pkgconfig: lib
	@echo "uninstalled: PKG_CONFIG_PATH=$(CAPI_BUILD_DIR) pkg-config --cflags --libs weft-uninstalled"
	@echo "(pkg-config also picks weft-uninstalled.pc for plain 'weft' when it is on PKG_CONFIG_PATH)"

## pkgconfig-test: cargo cinstall into a scratch prefix, check SONAME and files, build and run a C program with pkg-config (c-tests/pkgconfig.sh)
pkgconfig-test:
	sh c-tests/pkgconfig.sh

## fmt: format all sources
fmt:
	$(CARGO) fmt

# The benchmark suite is its own crate (benches/suite, not part of this
# package), so that `make test` never builds wasm3 or bindgen. wasm3's old
# bindgen needs libclang 14 (Debian: libclang1-14); its build directory is
# $(CARGO_TARGET_DIR) when set, else benches/suite/target.
BENCH_LIBCLANG ?= /usr/lib/llvm-14/lib
BENCH_SEEDS ?= 1 2 3 4 5
BENCH_SUITE = cd benches/suite && LIBCLANG_PATH=$(BENCH_LIBCLANG) $(CARGO)

## bench: the benchmark suite: our C and WAT workloads on Weft, wasmi 2.0.0 and wasm3 0.3.1, interleaved (not a gate)
##        make bench [ARGS='fib sieve --markdown --engines=weft,wasmi'] [BENCH_REPS=5] [BENCH_SCALE=1.0]
bench:
	$(BENCH_SUITE) run --release -- $(ARGS)

## bench-layouts: the suite over 5 code layouts (shuffled links of the harness), medians of the per-layout medians (not a gate)
##        make bench-layouts [ARGS='--markdown'] [BENCH_SEEDS='1 2 3 4 5'] [BENCH_REPS=3]
bench-layouts:
	LIBCLANG_PATH=$(BENCH_LIBCLANG) sh benches/layout/suite.sh -s "$(BENCH_SEEDS)" -- $(ARGS)

## bench-startup-modules: decode + validate + translate + instantiate time and memory of large modules, per engine (not a gate)
bench-startup-modules:
	$(BENCH_SUITE) run --release -- --startup $(ARGS)

## bench-suite-check: format check and clippy -D warnings of the benchmark suite's crate (not part of make test)
bench-suite-check:
	$(BENCH_SUITE) fmt --check
	$(BENCH_SUITE) clippy --release -- -D warnings

## bench-micro: the first benchmark, benches/startpoint.rs: three WAT workloads on Weft and wasmi (not a gate)
bench-micro:
	$(CARGO) bench --bench startpoint

## fuzz: differential fuzzing campaign against wasmi with random seeds: make fuzz SECONDS=3600
## (failures are minimised and saved to tests/corpus/; not part of make test, which runs a fixed seed range)
SECONDS ?= 600
fuzz:
	WEFT_FUZZ_SECONDS=$(SECONDS) $(CARGO) test --release --test differential -- --ignored campaign --nocapture

## bench-startup: `weft run` of a hello-world WASI command next to `wasmi run` (not a gate)
bench-startup:
	sh benches/startup/run.sh

## clean: remove build outputs
clean:
	$(CARGO) clean

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
