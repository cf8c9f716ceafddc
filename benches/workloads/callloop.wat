;; Micro-benchmark: n * 1M iterations, each a direct call of a tiny function
;; and a call_indirect through a table of two functions of the same type
;; (increment, rotate left); $step (x * 31 + i) keeps the checksum alive.
(module
  (type $unop (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $inc $rot)
  (func $inc (type $unop) (i32.add (local.get 0) (i32.const 1)))
  (func $rot (type $unop) (i32.rotl (local.get 0) (i32.const 1)))
  (func $step (param $x i32) (param $i i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 31)) (local.get $i)))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $end i32) (local $x i32)
    (local.set $end (i32.mul (local.get $n) (i32.const 1000000)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (call $step (local.get $x) (local.get $i)))
        (local.set $x (call_indirect (type $unop) (local.get $x) (i32.and (local.get $i) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.extend_i32_u (local.get $x))))
