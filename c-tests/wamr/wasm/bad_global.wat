;; lib's g is mutable: importing it as immutable does not match.
(module (import "lib" "g" (global i32)))
