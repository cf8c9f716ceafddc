;; Registered by weft_names.c with wasm_module_set_name("weft_lib").
(module
  (global (export "counter") (mut i32) (i32.const 5))
  (func (export "answer") (result i32) (i32.const 42)))
