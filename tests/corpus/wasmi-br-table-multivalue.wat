;; wasmi 2.0.0 bug (not Weft): `br_table` carrying two values to targets at
;; different stack heights (block and function) returns 0 instead of 500 as
;; the first result. Minimised from campaign seed 18822812544713. The harness
;; rewrites such br_tables into br_if chains for wasmi only.
(module
  (global $g0 (mut i32) (i32.const 1475234266))
  (global $g3 (mut i32) (i32.const 500))
  (func (export "f") (result i32 i64)
    (local i64 i64 i32)
    block (result i32 i64)
      local.get 1
      loop (result i32 i64)
        global.get $g3
        i64.const 2
        global.get $g0
        br_table 1 2 2
      end
      drop
      drop
      drop
      i32.const 7
      i64.const 8
    end))
