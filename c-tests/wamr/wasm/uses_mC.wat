;; Imports from mC, which is a WASI command in the wasi build.
(module
  (import "mC" "C1" (func $c1 (result i32)))
  (func (export "f") (result i32) (call $c1)))
