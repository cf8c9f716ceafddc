#!/bin/sh
# Times the `weft` command on the suite's workloads in several code layouts:
# the binary is relinked once per seed with its functions in a shuffled order
# (`shuffle-gcc`, lld's --shuffle-sections), and each workload reports its
# time per layout and the median. Code placement alone moves single rows by
# up to 60% here, so compare two versions by their medians over the same
# seeds, not by one build each (benches/README.md).
#
# Usage: benches/layout/run.sh [-s "SEEDS"] [-r REPS] BENCH_WASM_DIR [NAME:N ...]
#   BENCH_WASM_DIR  the suite's compiled workloads (make bench builds them:
#                   $CARGO_TARGET_DIR/release/bench-wasm or
#                   benches/suite/target/release/bench-wasm)
#   NAME:N          workloads and their argument (default: the suite's)
# Builds into $CARGO_TARGET_DIR (default target/layout); needs lld.
set -eu
seeds="1 2 3 4 5"
reps=2
while getopts s:r: opt; do
    case $opt in
        s) seeds=$OPTARG ;;
        r) reps=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
wasm_dir=${1:?usage: benches/layout/run.sh [-s SEEDS] [-r REPS] BENCH_WASM_DIR [NAME:N ...]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/workloads.sh"
set -- ${*:-$suite_workloads}
target=${CARGO_TARGET_DIR:-$root/target/layout}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for seed in $seeds; do
    touch "$root/src/bin/weft.rs"
    (cd "$root" && WEFT_LAYOUT_SEED=$seed CARGO_TARGET_DIR=$target \
        CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$root/benches/layout/shuffle-gcc" \
        cargo build --release -q --bin weft)
    for w in "$@"; do
        name=${w%%:*}
        n=${w#*:}
        file=$wasm_dir/$name.wasm
        [ -f "$file" ] || file=$root/benches/workloads/$name.wat
        best=
        i=0
        while [ $i -lt "$reps" ]; do
            t=$( { /usr/bin/time -f %e "$target/release/weft" run --invoke run "$file" "$n" >/dev/null; } 2>&1 )
            if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
            i=$((i + 1))
        done
        echo "$name $seed $best" >>"$out"
    done
done
echo "workload: best of $reps per layout (seeds: $seeds), then the median"
for w in "$@"; do
    name=${w%%:*}
    times=$(awk -v w="$name" '$1 == w { print $3 }' "$out")
    median=$(echo "$times" | sort -n | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }')
    printf '%-12s %s   median %s\n' "$name" "$(echo $times)" "$median"
    echo "$median" >>"$out.medians"
done
awk '{ s += log($1) } END { printf "geometric mean of the medians: %.4f s\n", exp(s / NR) }' "$out.medians"
rm -f "$out.medians"
