(module
  (import "env" "nop" (func $nop))
  (func (export "empty"))
  (func (export "loop") (param i32)
    (loop $l
      (call $nop)
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))
