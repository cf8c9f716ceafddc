;; Imports lib's memory, table and mutable global, and writes to all three.
(module
  (import "lib" "mem" (memory 1))
  (import "lib" "tab" (table 2 funcref))
  (import "lib" "g" (global $g (mut i32)))
  (import "lib" "k" (global $k i32))
  (import "lib" "get_g" (func $get_g (result i32)))
  (func $ninety_nine (result i32) (i32.const 99))
  (elem (i32.const 1) $ninety_nine)
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "set_g") (param i32) (global.set $g (local.get 0)))
  (func (export "get_g_via_lib") (result i32) (call $get_g))
  (func (export "k") (result i32) (global.get $k)))
