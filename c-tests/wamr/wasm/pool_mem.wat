;; A memory of one page (at most three) for the pool test: it checks where
;; the memory lives and how far it can grow.
(module
  (memory (export "memory") 1 3)
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "poke") (param i32 i32)
    (i32.store (local.get 0) (local.get 1)))
  (func (export "peek") (param i32) (result i32)
    (i32.load (local.get 0))))
