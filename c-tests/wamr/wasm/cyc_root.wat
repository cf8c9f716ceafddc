;; Imports from cycB, which imports from cycC, which imports from cycB.
(module
  (import "cycB" "b" (func (result i32)))
  (func (export "root") (result i32) (call 0)))
