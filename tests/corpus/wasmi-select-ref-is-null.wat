;; wasmi 2.0.0 bug (not Weft): `select` whose condition is `ref.is_null` of a
;; call result picks the wrong operand (9 instead of 7). Minimised from
;; campaign seed 107158257161941. The harness patches the module for wasmi
;; (tests/differential/wasmi_bugs.rs, bug 1); WEFT_FUZZ_NO_WASMI_PATCH=1 shows it.
(module
  (global $g (mut i32) (i32.const 5))
  (func $null (result funcref)
    global.get $g
    drop
    ref.null func)
  (func (export "f") (result i32)
    i32.const 7
    i32.const 9
    call $null
    ref.is_null
    select))
