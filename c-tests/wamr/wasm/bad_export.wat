;; lib has no export called nothing_here.
(module (import "lib" "nothing_here" (func)))
