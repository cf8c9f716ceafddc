(module
  (import "env" "callback" (func $cb (param i32)))
  (global $id (import "env" "id") i32)
  (func (export "run") (call $cb (global.get $id))))
