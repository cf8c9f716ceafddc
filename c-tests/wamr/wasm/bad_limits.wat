;; lib's memory has 1 page, at most 4: a minimum of 2 does not match.
(module (import "lib" "mem" (memory 2)))
