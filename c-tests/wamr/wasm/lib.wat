;; Exports a memory, a table, a mutable global and functions that use them.
(module
  (memory (export "mem") 1 4)
  (table (export "tab") 4 funcref)
  (global (export "g") (mut i32) (i32.const 5))
  (global (export "k") i32 (i32.const 9))
  (type $ret_i32 (func (result i32)))
  (func (export "get_g") (result i32) (global.get 0))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "call_tab") (param i32) (result i32)
    (call_indirect (type $ret_i32) (local.get 0))))
