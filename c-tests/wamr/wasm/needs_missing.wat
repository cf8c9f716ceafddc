;; Imports from a module the reader cannot supply.
(module
  (import "dep_ok" "f" (func (result i32)))
  (import "no_such_module" "g" (func (result i32)))
  (func (export "h") (result i32) (call 0)))
