;; wasmi 2.0.0 reads the value below a parameterised block from a
;; preservation slot that only the fall-through path fills, when the block
;; is left by `br_if` before a `loop` (or `if`) that preserves values: it
;; returns 0 instead of the bits of $a. The harness gives wasmi a patched
;; module (see tests/differential/wasmi_bugs.rs); this case checks the
;; workaround, and Weft's own handling of block parameters.
(module
  (func (export "block_param_br_if_loop") (param $a f64) (param $c i32) (result i64)
    local.get $a
    i64.const 39
    block (param i64)
      local.get $c
      br_if 0
      loop
      end
      drop
    end
    i64.reinterpret_f64)
  (func (export "two_params_two_results") (param $x i32) (param $y i64) (result i32 i64 i32)
    local.get $x
    local.get $x
    local.get $y
    block (param i32 i64) (result i32 i64)
      local.get $x
      br_if 0
      loop
      end
      i64.const 1
      i64.add
    end
    local.get $x))
