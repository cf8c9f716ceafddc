# Weft developer entry points. `make demo` builds and runs a small demo;
# `make test` is the full test gate (format, lints, every test).
# Target names are stable: scripts (.ci/run) and docs rely on them.

CARGO ?= cargo

.PHONY: bench-startup all demo test fmt fmt-check clippy cargo-test c-tests c-tests-capi c-tests-wamr bench clean help

all: test

## demo: build (release) and run examples/demo.rs
demo:
	$(CARGO) run --release --example demo

## test: the full gate: formatting, clippy -D warnings, every Rust test in release mode, then the C tests
test: fmt-check clippy cargo-test c-tests

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

## fmt: format all sources
fmt:
	$(CARGO) fmt

## bench: informational benchmark against wasmi (not a gate)
bench:
	$(CARGO) bench --bench startpoint

## bench-startup: `weft run` of a hello-world WASI command next to `wasmi run` (not a gate)
bench-startup:
	sh benches/startup/run.sh

## clean: remove build outputs
clean:
	$(CARGO) clean

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
