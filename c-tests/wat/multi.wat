(module
  (import "env" "swap" (func $swap (param i32 i64 f32 f64) (result f64 f32 i64 i32)))
  (func (export "roundtrip") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    (call $swap (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "pair") (param i32) (result i32 i32)
    (local.get 0) (i32.mul (local.get 0) (i32.const 3))))
