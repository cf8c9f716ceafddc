;; Imports from a registered module (weft_lib), from one the reader
;; supplies (weft_dep) and from the host; weft_names.c leaves the first two
;; NULL.
(module
  (import "weft_lib" "answer" (func $answer (result i32)))
  (import "weft_dep" "twice" (func $twice (result i32)))
  (import "weft_lib" "counter" (global $counter (mut i32)))
  (import "host" "one" (func $one (result i32)))
  (func (export "sum") (result i32)
    (i32.add (i32.add (call $answer) (call $twice))
             (i32.add (call $one) (global.get $counter))))
  (func (export "bump")
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))))
