#!/bin/sh
# The benchmark suite over several code layouts (`make bench-layouts`):
# builds the harness once and links it once per seed with its functions'
# sections shuffled (`shuffle-gcc`, lld's --shuffle-sections): Weft's,
# wasmi's and wasm3's code all move. Runs the suite on each layout, then
# reports per workload and engine the median of the per-layout medians.
# Code placement alone moves single rows of one build by 20-60% on this
# machine, for every engine (benches/README.md).
#
# Usage: benches/layout/suite.sh [-s "SEEDS"] [--] [SUITE ARGS...]
#   SEEDS       layout seeds (default "1 2 3 4 5")
#   SUITE ARGS  passed to each run (workload names, --engines=...) and to
#               the report (--markdown)
# Environment: BENCH_REPS per layout (default 3), LIBCLANG_PATH as for
# `make bench`; builds in benches/suite/target (or $CARGO_TARGET_DIR).
set -eu
seeds="1 2 3 4 5"
while getopts s: opt; do
    case $opt in
        s) seeds=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/benches/suite/target}
bins=$target/layouts
rm -rf "$bins"
mkdir -p "$bins"
# Relink: the shuffled copies are made while the objects exist.
touch "$root/benches/suite/src/main.rs"
(cd "$root/benches/suite" && WEFT_LAYOUT_SEEDS=$seeds WEFT_LAYOUT_OUT=$bins CARGO_TARGET_DIR=$target \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$root/benches/layout/shuffle-gcc" \
    cargo build --release -q)
records=$bins/records.txt
: >"$records"
export BENCH_OUT="${BENCH_OUT:-$target/release/bench-wasm}"
export BENCH_REPS="${BENCH_REPS:-3}"
for seed in $seeds; do
    [ -x "$bins/seed-$seed" ] || { echo "no layout $seed was linked" >&2; exit 1; }
    echo "== layout $seed"
    "$bins/seed-$seed" --record="$records" "$@"
done
echo
echo "== medians over the layouts $seeds"
first=$(echo $seeds | cut -d' ' -f1)
"$bins/seed-$first" --from-records="$records" "$@"
