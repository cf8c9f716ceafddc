(module
  (import "host" "fn" (func (param i32 f64) (result i64)))
  (import "host" "glob" (global (mut f32)))
  (import "host" "tab" (table 1 8 externref))
  (import "host" "mem" (memory 2))
  (func (export "func") (param i32 i64 f32 f64 externref funcref) (result i32 f64) unreachable)
  (global (export "global") i64 (i64.const 0))
  (table (export "table") 2 3 funcref)
  (export "memory" (memory 0)))
