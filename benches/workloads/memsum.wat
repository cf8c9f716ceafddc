;; Micro-benchmark: sums 1 MiB of i32 (i32.load, i64.extend_i32_u, i64.add), n times.
;; The start function fills word i with i.
(module
  (memory 16)
  (func $fill (local $i i32)
    (loop $next
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 262144)))))
  (start $fill)
  (func (export "run") (param $n i32) (result i64) (local $addr i32) (local $acc i64)
    (block $done
      (loop $rep
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $addr (i32.const 0))
        (loop $next
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.load (local.get $addr)))))
          (local.set $addr (i32.add (local.get $addr) (i32.const 4)))
          (br_if $next (i32.lt_u (local.get $addr) (i32.const 1048576))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $rep)))
    (local.get $acc)))
