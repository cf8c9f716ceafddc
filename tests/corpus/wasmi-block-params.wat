;; wasmi 2.0.0 bug (not Weft): a branch out of a block with parameters skips
;; preservation copies made later in the block (by the `loop`): wasmi returns
;; 0 instead of the bits of 3.5. Minimised from campaign seed 250519368248610.
;; The harness patches the module for wasmi (tests/differential/wasmi_bugs.rs);
;; WEFT_FUZZ_NO_WASMI_PATCH=1 shows the bug.
(module
  (memory 1 1)
  (global $g6 (mut i32) (i32.const 500))
  (global $g3 (mut i64) (i64.const 0))
  (global $g4 (mut i32) (i32.const 0))
  (global $g5 (mut i64) (i64.const 0))
  (func (export "f") (result i64)
    (local $a f64)
    (local.set $a (f64.const 3.5))
    local.get $a
    i64.const 3985605759518909639
    block (param i64)
      memory.size
      memory.size
      br_if 0
      loop (result i32)
        global.get $g6
      end
      i32.xor
      global.set $g4
      global.set $g5
    end
    i64.reinterpret_f64))
