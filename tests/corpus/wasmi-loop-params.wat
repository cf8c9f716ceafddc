;; wasmi 2.0.0 bug (not Weft): as wasmi-block-params.wat, for `loop` with a
;; parameter: global "7" must end up holding the imported global's value.
;; Minimised from campaign seed 18822812913361.
(module
  (type (;0;) (func (result f64)))
  (type (;1;) (func (result funcref f32 f64 externref)))
  (type (;2;) (func (param i64 f32 i32) (result i32 f64 i64)))
  (type (;3;) (func (param i32)))
  (import "\u{18}\u{a}" "" (global (;0;) (mut i64)))
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i32) i32.const 100)
  (export "2" (func 2))
  (export "7" (global 2))
  (func (;0;) (type 3) (param i32)
  )
  (func (;1;) (type 2) (param i64 f32 i32) (result i32 f64 i64)
    unreachable
  )
  (func (;2;) (type 2) (param i64 f32 i32) (result i32 f64 i64)
    (local i64 funcref i64 f32 externref f32 f64)
    global.get 5
    global.get 0
    local.tee 3
    local.get 2
    f32.const -nan:0x7ff7ff (;=NaN;)
    i32.const 524288
    loop (type 3) (param i32) ;; label = @1
      if (type 0) (result f64) ;; label = @2
        loop (type 0) (result f64) ;; label = @3
          global.get 5
          f32.convert_i32_s
          f32.const nan (;=NaN;)
          local.get 8
          local.get 8
          f32.eq
          select
          i32.trunc_sat_f32_s
          f64.convert_i32_u
          f64.const -nan:0xf800000000000 (;=NaN;)
          f64.const nan (;=NaN;)
          local.get 9
          local.get 9
          f64.eq
          select
          i64.reinterpret_f64
          global.set 3
        end
      else
        f64.const -nan:0xfffffffffbfff (;=NaN;)
      end
      i64.reinterpret_f64
      global.set 3
    end
    i32.reinterpret_f32
    i32.xor
    global.set 4
    global.set 2
    f64.const -nan:0xfffffffffffdf (;=NaN;)
    i64.const 6332719631312442391
  )
  (func (;3;) (type 2) (param i64 f32 i32) (result i32 f64 i64)
    f32.const -nan:0x7fefff (;=NaN;)
    call 4
    f32.demote_f64
    f32.le
    f64.const -0x1.efefefefefefep+1008 (;=-5314010372517807600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    loop (type 1) (result funcref f32 f64 externref) ;; label = @1
      br 0 (;@1;)
    end
    drop
    i64.reinterpret_f64
    global.set 3
    i32.reinterpret_f32
    global.set 1
    drop
    i64.const 16383
  )
  (func (;4;) (type 0) (result f64)
    unreachable
  )
)
