;; Supplied to weft_names.c by its module reader; depends on weft_lib.
(module
  (import "weft_lib" "answer" (func $answer (result i32)))
  (func (export "twice") (result i32)
    (i32.mul (call $answer) (i32.const 2))))
