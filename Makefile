# Weft developer entry points. `make demo` builds and runs a small demo;
# `make test` is the full test gate (format, lints, every test).
# Target names are stable: scripts (.ci/run) and docs rely on them.

CARGO ?= cargo

.PHONY: all demo test fmt fmt-check clippy cargo-test bench clean help

all: test

## demo: build (release) and run examples/demo.rs
demo:
	$(CARGO) run --release --example demo

## test: the full gate: formatting, clippy -D warnings, then every test in release mode
test: fmt-check clippy cargo-test

## fmt-check: fail if any file is not formatted
fmt-check:
	$(CARGO) fmt --check

## clippy: lints on all targets, warnings are errors
clippy:
	$(CARGO) clippy --all-targets -- -D warnings

## cargo-test: cargo test --release: unit tests, integration tests (tests/) and the spec suite (spectests/)
cargo-test:
	$(CARGO) test --release

## fmt: format all sources
fmt:
	$(CARGO) fmt

## bench: informational benchmark against wasmi (not a gate)
bench:
	$(CARGO) bench --bench startpoint

## clean: remove build outputs
clean:
	$(CARGO) clean

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
