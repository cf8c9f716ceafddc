# The suite's workloads with their argument (the n of benches/suite), the
# default of run.sh and ab.sh; sourced by both.
suite_workloads="fib:50 sieve:25 matmul:70 nbody:500000 mandelbrot:750 sha256:400 quicksort:18 bf:180 lz:120 calls:220 memory:130 branch:180 loop:300 memsum:500 callloop:18"
