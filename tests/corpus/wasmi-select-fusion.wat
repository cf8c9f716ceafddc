;; wasmi 2.0.0 picks the wrong operand of a `select` whose condition is
;; `i32.eqz` of a slot operand while its register holds another value
;; (here 203): it returns 203 0 instead of 203 5. The harness gives wasmi a
;; patched module (see tests/differential/wasmi_bugs.rs); this case checks
;; the workaround, and Weft's own `select` with a compare-to-zero condition.
(module
  (func (export "select_eqz") (result i32 i32)
    (local $zero i32) (local $x i32)
    (local.set $x (i32.const 200))
    (i32.add (local.get $x) (i32.const 3))
    (select (i32.const 5) (local.get $zero) (i32.eqz (local.get $zero))))
  (func (export "div_guard") (result i32)
    (local $zero i32)
    ;; wasm-smith's guard against division by zero: 200 / (zero ? .. : 1)
    (i32.div_u
      (global.get $g)
      (select (i32.const 1) (local.get $zero) (i32.eqz (local.get $zero)))))
  (func (export "select_eq0_ne0") (param $p i32) (result i32 i32)
    (local $x i32)
    (local.set $x (i32.mul (local.get $p) (i32.const 7)))
    (select (i32.const 11) (i32.const 22) (i32.eq (local.get $p) (i32.const 0)))
    (select (i32.const 33) (i32.const 44) (i32.ne (i32.const 0) (local.get $x))))
  (global $g (mut i32) (i32.const 200)))
