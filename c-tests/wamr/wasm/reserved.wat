;; Imports only from reserved module names: the reader is never asked.
(module
  (import "env" "missing_native" (func $m (param i32) (result i32)))
  (import "spectest" "print_i32" (func $p (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (func (export "g") (result i32) (global.get $g))
  (func (export "call_missing") (result i32) (call $m (i32.const 1))))
