;; wasmi 2.0.0 bug (not Weft): as wasmi-block-params.wat, for `if` with a
;; parameter: global "7" must end up holding the i32 argument; wasmi stores 0.
;; Minimised from campaign seed 18822812813389.
(module
  (type (;0;) (func (param i64 externref i32 f32)))
  (type (;1;) (func (result i32 i64)))
  (type (;2;) (func (param f32) (result i64)))
  (type (;3;) (func (param f32)))
  (memory (;0;) 1 2)
  (global (;0;) f32 f32.const 0x1.802dc4p-37 (;=0.000000000010919017;))
  (global (;1;) funcref ref.null func)
  (global (;2;) (mut i32) i32.const 0)
  (global (;6;) (mut i32) i32.const 500)
  (export "" (func 0))
  (export "7" (global 2))
  (func (;0;) (type 0) (param i64 externref i32 f32)
    local.get 2
    f32.const 0x1p+1 (;=2;)
    memory.size
    i32.ctz
    if (type 3) (param f32) ;; label = @1
      ref.null func
      loop (result i32) ;; label = @2
        br 1 (;@1;)
      end
      global.set 2
      drop
      i32.reinterpret_f32
      global.set 3
    else
      i32.reinterpret_f32
      global.set 3
    end
    global.set 2
  )
)
