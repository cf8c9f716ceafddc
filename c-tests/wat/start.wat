(module
  (import "env" "f" (func $f (param i32)))
  (import "env" "g" (global $g i32))
  (memory (export "mem") 1)
  (func $start
    (i32.store (i32.const 16) (i32.const 1234))
    (call $f (global.get $g))
    (unreachable))
  (start $start))
