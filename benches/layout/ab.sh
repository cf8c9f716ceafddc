#!/bin/sh
# Compares two trees of Weft over the same code layouts, interleaved: for
# each seed, links the `weft` command of tree A and of tree B with their
# functions shuffled (`shuffle-gcc`), then times every workload on all
# binaries in turn, REPS rounds, and prints per workload the median over
# seeds of each binary's best time, B/A, and the geometric means. The
# interleaving keeps slow phases of the machine from favouring one tree.
#
# Usage: benches/layout/ab.sh [-s "SEEDS"] [-r REPS] TREE_A TREE_B BENCH_WASM_DIR [NAME:N ...]
#   TREE_A, TREE_B  checkouts of Weft (each builds into its own target/layout,
#                   or $AB_TARGET_A / $AB_TARGET_B)
#   BENCH_WASM_DIR  the suite's compiled workloads (see run.sh)
# Needs lld and python3.
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
tree_a=$(cd "${1:?tree A}" && pwd)
tree_b=$(cd "${2:?tree B}" && pwd)
wasm_dir=${3:?BENCH_WASM_DIR}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/workloads.sh"
set -- ${*:-$suite_workloads}
bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
for seed in $seeds; do
    for side in A B; do
        if [ $side = A ]; then
            tree=$tree_a
            target=${AB_TARGET_A:-$tree/target/layout}
        else
            tree=$tree_b
            target=${AB_TARGET_B:-$tree/target/layout}
        fi
        touch "$tree/src/bin/weft.rs"
        (cd "$tree" && WEFT_LAYOUT_SEED=$seed CARGO_TARGET_DIR=$target \
            CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$here/shuffle-gcc" \
            cargo build --release -q --bin weft)
        cp "$target/release/weft" "$bins/$side-$seed"
    done
done
r=0
while [ $r -lt "$reps" ]; do
    for w in "$@"; do
        name=${w%%:*}
        n=${w#*:}
        file=$wasm_dir/$name.wasm
        [ -f "$file" ] || file=$here/../workloads/$name.wat
        for seed in $seeds; do
            for side in A B; do
                t=$( { /usr/bin/time -f %e "$bins/$side-$seed" run --invoke run "$file" "$n" >/dev/null; } 2>&1 )
                echo "$name $side $seed $t" >>"$bins/times"
            done
        done
    done
    r=$((r + 1))
done
python3 - "$bins/times" <<'PY'
import math, statistics, sys
best = {}
for line in open(sys.argv[1]):
    name, side, seed, t = line.split()
    key = (name, side, seed)
    best[key] = min(best.get(key, float("inf")), float(t))
names = list(dict.fromkeys(k[0] for k in best))
log_a = log_b = 0.0
print(f"{'workload':12} {'A':>7} {'B':>7} {'B/A':>6}   best per seed, A / B")
for name in names:
    a = [v for (n, s, _), v in best.items() if n == name and s == "A"]
    b = [v for (n, s, _), v in best.items() if n == name and s == "B"]
    ma, mb = statistics.median(a), statistics.median(b)
    log_a += math.log(ma)
    log_b += math.log(mb)
    per = " ".join(f"{x:.2f}" for x in a) + " / " + " ".join(f"{x:.2f}" for x in b)
    print(f"{name:12} {ma:7.3f} {mb:7.3f} {mb / ma:6.3f}   {per}")
k = len(names)
print(f"geometric mean A {math.exp(log_a / k):.4f} B {math.exp(log_b / k):.4f} B/A {math.exp((log_b - log_a) / k):.4f}")
PY
