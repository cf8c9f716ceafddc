;; Imports from a module whose file is not WebAssembly.
(module
  (import "garbage" "f" (func)))
