(module
  (import "env" "fail" (func $fail))
  (func $inner (export "unreachable") unreachable)
  (func $middle (call $inner))
  (func (export "nested") (call $middle))
  (func (export "host_fail") (call $fail))
  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0))))
