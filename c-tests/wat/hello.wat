(module
  (import "env" "hello" (func $hello (param i32) (result i32)))
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (func (export "run") (param i32) (result i32)
    (call $add (call $hello (local.get 0)) (i32.const 100))))
