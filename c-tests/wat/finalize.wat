(module
  (func (export "f"))
  (func (export "g") (result i32) (i32.const 1))
  (global (export "glob") (mut i32) (i32.const 0))
  (table (export "tab") 1 funcref))
