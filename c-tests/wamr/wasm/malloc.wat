;; A module with its own malloc/free (a bump allocator that counts frees):
;; wasm_runtime_module_malloc must use them instead of an app heap.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (global $frees (mut i32) (i32.const 0))
  (func (export "malloc") (param i32) (result i32) (local i32)
    (local.set 1 (global.get $next))
    (global.set $next
      (i32.add (global.get $next)
               (i32.and (i32.add (local.get 0) (i32.const 7)) (i32.const -8))))
    (local.get 1))
  (func (export "free") (param i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  (func (export "frees") (result i32) (global.get $frees)))
