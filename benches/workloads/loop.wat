;; Micro-benchmark: a counting loop (i32.add, i32.lt_u, br_if), n * 1M iterations.
(module
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $end i32)
    (local.set $end (i32.mul (local.get $n) (i32.const 1000000)))
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $end))))
    (i64.extend_i32_u (local.get $i))))
