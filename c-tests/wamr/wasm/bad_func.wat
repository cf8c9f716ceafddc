;; lib's get_g returns i32: a different function type does not match.
(module (import "lib" "get_g" (func (param i32) (result i32))))
