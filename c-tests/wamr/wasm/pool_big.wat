;; A memory of eight pages (512 KiB), more than the pool test's pool holds.
(module
  (memory (export "memory") 8)
  (func (export "f") (result i32) (i32.const 1)))
