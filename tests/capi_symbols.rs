//! Checks that the C API header and the library agree:
//!
//! 1. every function `wasm-c-api/include/wasm.h` and `weft.h` (our
//!    additions) declare is exported by the built `libweft.so`, and the
//!    library exports no `wasm_` or `weft_` function that no public header
//!    (`wasm-c-api/include/*.h`: wasm.h, weft.h and the other C interfaces)
//!    declares (declarations are read from the preprocessed headers;
//!    exports from `nm -D --defined-only`);
//! 2. the header compiles warning-free as C11 and C++17;
//! 3. the layout of every public struct and the value of every enumerator
//!    in the header (printed by a C program compiled now) match the Rust
//!    definitions.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn include_dir() -> PathBuf {
    root().join("wasm-c-api/include")
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-capi-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The functions declared by a public header: top-level declarations of
/// its own preprocessed text (definitions, typedefs and variables are
/// skipped).
fn declared_functions(header: &str) -> BTreeSet<String> {
    let out = Command::new("cc")
        .args(["-E", "-std=c11", "-x", "c", "-I"])
        .arg(include_dir())
        .arg(include_dir().join(header))
        .output()
        .expect("run the C preprocessor (cc)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Keep only the text that comes from wasm.h itself (line markers
    // `# N "file" ...` say where each line comes from).
    let mut text = String::new();
    let mut in_header = false;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            in_header = rest
                .split('"')
                .nth(1)
                .is_some_and(|f| f.ends_with(&format!("/{header}")));
            continue;
        }
        if in_header {
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut names = BTreeSet::new();
    let mut depth = 0usize;
    let mut item = String::new();
    let mut has_body = false;
    for c in text.chars() {
        match c {
            '{' => {
                depth += 1;
                has_body = true;
            }
            '}' => depth -= 1,
            ';' if depth == 0 => {
                let decl = std::mem::take(&mut item);
                let decl = decl.trim();
                let skip = ["typedef", "static", "_Static_assert"];
                if !has_body && !skip.iter().any(|k| decl.starts_with(k)) {
                    if let Some(open) = decl.find('(') {
                        let before = decl[..open].trim_end();
                        let name: String = before
                            .chars()
                            .rev()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect();
                        assert!(!name.is_empty(), "cannot read a name in `{decl}`");
                        names.insert(name);
                    }
                }
                has_body = false;
                continue;
            }
            _ => {}
        }
        if depth == 0 && c == '}' {
            // End of a definition (an inline function or a type): a
            // definition is not followed by `;` for functions.
            if !item.trim_start().starts_with("typedef")
                && !item.trim_start().starts_with("struct")
                && !item.trim_start().starts_with("enum")
                && !item.trim_start().starts_with("union")
            {
                item.clear();
                has_body = false;
                continue;
            }
        }
        item.push(c);
    }
    names
}

/// The cdylib built for this test run.
fn library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // .../target/<profile>/deps/capi_symbols-hash
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let lib = profile_dir.join("libweft.so");
    assert!(lib.exists(), "{} was not built", lib.display());
    lib
}

fn exported_symbols(lib: &Path) -> BTreeSet<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib)
        .output()
        .expect("run nm");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace().rev();
            let name = parts.next()?;
            let kind = parts.next()?;
            (kind == "T" && (name.starts_with("wasm_") || name.starts_with("weft_")))
                .then(|| name.to_string())
        })
        .collect()
}

#[test]
fn header_functions_and_library_exports_agree() {
    let standard = declared_functions("wasm.h");
    let ours = declared_functions("weft.h");
    assert!(
        ours.iter().all(|f| !standard.contains(f)),
        "weft.h redeclares a wasm.h function"
    );
    let declared: BTreeSet<String> = standard.union(&ours).cloned().collect();
    let exported = exported_symbols(&library());
    let mut any_header = declared.clone();
    for entry in std::fs::read_dir(include_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".h") && name != "wasm.h" && name != "weft.h" {
            any_header.extend(declared_functions(&name));
        }
    }
    let missing: Vec<_> = declared.difference(&exported).collect();
    let extra: Vec<_> = exported.difference(&any_header).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "declared but not exported: {missing:?}\nexported but not declared: {extra:?}"
    );
    // The header is complete: a sanity bound on its size.
    assert!(
        standard.len() > 250,
        "only {} functions found in wasm.h",
        standard.len()
    );
    assert!(
        ours.contains("wasm_module_set_name") && ours.contains("weft_instance_new_with_wasi"),
        "weft.h's functions were not found: {ours:?}"
    );
    println!(
        "{} functions declared (wasm.h) and {} (weft.h), all exported",
        standard.len(),
        ours.len()
    );
}

#[test]
fn header_compiles_as_c11_and_cxx17() {
    let dir = scratch_dir("compile");
    let src =
        "#include <weft.h>\nint main(void) { wasm_val_t v = WASM_I32_VAL(1); wasm_val_t r = WASM_INIT_VAL; \
               wasm_val_t a[1] = {WASM_F64_VAL(2.0)}; wasm_val_vec_t vv = WASM_ARRAY_VEC(a); \
               wasm_val_vec_t e = WASM_EMPTY_VEC; (void)v; (void)r; (void)vv; (void)e; return 0; }\n";
    for (compiler, std, file) in [("cc", "-std=c11", "t.c"), ("c++", "-std=c++17", "t.cc")] {
        let path = dir.join(file);
        std::fs::write(&path, src).unwrap();
        let out = Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I"])
            .arg(include_dir())
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("run {compiler}: {e}"));
        assert!(
            out.status.success(),
            "{compiler} {std}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

const VECS: &[&str] = &[
    "byte",
    "valtype",
    "functype",
    "globaltype",
    "tabletype",
    "memorytype",
    "tagtype",
    "externtype",
    "importtype",
    "exporttype",
    "val",
    "frame",
    "extern",
];

const ENUMERATORS: &[&str] = &[
    "WASM_I32",
    "WASM_I64",
    "WASM_F32",
    "WASM_F64",
    "WASM_EXTERNREF",
    "WASM_FUNCREF",
    "WASM_CONST",
    "WASM_VAR",
    "WASM_EXTERN_FUNC",
    "WASM_EXTERN_GLOBAL",
    "WASM_EXTERN_TABLE",
    "WASM_EXTERN_MEMORY",
    "WASM_EXTERN_TAG",
];

/// What the C compiler says about the header, as `name value` lines.
fn c_layout() -> Vec<(String, u64)> {
    let dir = scratch_dir("layout");
    let mut prog = String::from("#include <stdio.h>\n#include <wasm.h>\n#define P(n, v) printf(\"%s %llu\\n\", n, (unsigned long long)(v))\nint main(void) {\n");
    for s in [
        "wasm_val_t",
        "wasm_limits_t",
        "wasm_valkind_t",
        "wasm_externkind_t",
        "wasm_mutability_t",
    ] {
        prog += &format!("  P(\"sizeof {s}\", sizeof({s}));\n  P(\"alignof {s}\", _Alignof({s}));\n");
    }
    prog += "  P(\"offsetof wasm_val_t.kind\", offsetof(wasm_val_t, kind));\n";
    prog += "  P(\"offsetof wasm_val_t.of\", offsetof(wasm_val_t, of));\n";
    prog += "  P(\"offsetof wasm_limits_t.min\", offsetof(wasm_limits_t, min));\n";
    prog += "  P(\"offsetof wasm_limits_t.max\", offsetof(wasm_limits_t, max));\n";
    prog += "  P(\"wasm_limits_max_default\", wasm_limits_max_default);\n";
    prog += "  P(\"MEMORY_PAGE_SIZE\", MEMORY_PAGE_SIZE);\n";
    for v in VECS {
        let t = format!("wasm_{v}_vec_t");
        prog += &format!(
            "  P(\"sizeof {t}\", sizeof({t}));\n  P(\"alignof {t}\", _Alignof({t}));\n  \
             P(\"offsetof {t}.size\", offsetof({t}, size));\n  P(\"offsetof {t}.data\", offsetof({t}, data));\n  \
             P(\"sizeof {t}.data[0]\", sizeof(*(({t}*)0)->data));\n"
        );
    }
    for e in ENUMERATORS {
        prog += &format!("  P(\"{e}\", {e});\n");
    }
    prog += "  return 0;\n}\n";
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, prog).unwrap();
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run cc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(dir);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

/// The same facts from the Rust definitions.
fn rust_layout() -> std::collections::BTreeMap<String, u64> {
    use std::mem::{align_of, offset_of, size_of};
    use weft::capi::*;
    let mut m = std::collections::BTreeMap::new();
    let mut put = |k: &str, v: usize| {
        m.insert(k.to_string(), v as u64);
    };
    put("sizeof wasm_val_t", size_of::<val::wasm_val_t>());
    put("alignof wasm_val_t", align_of::<val::wasm_val_t>());
    put("sizeof wasm_limits_t", size_of::<types::wasm_limits_t>());
    put("alignof wasm_limits_t", align_of::<types::wasm_limits_t>());
    for t in ["wasm_valkind_t", "wasm_externkind_t", "wasm_mutability_t"] {
        put(&format!("sizeof {t}"), size_of::<u8>());
        put(&format!("alignof {t}"), align_of::<u8>());
    }
    put("offsetof wasm_val_t.kind", offset_of!(val::wasm_val_t, kind));
    put("offsetof wasm_val_t.of", offset_of!(val::wasm_val_t, of));
    put(
        "offsetof wasm_limits_t.min",
        offset_of!(types::wasm_limits_t, min),
    );
    put(
        "offsetof wasm_limits_t.max",
        offset_of!(types::wasm_limits_t, max),
    );
    put("wasm_limits_max_default", u32::MAX as usize);
    put("MEMORY_PAGE_SIZE", 65536);
    macro_rules! vec_layout {
        ($name:literal, $t:ty, $elem:ty) => {
            put(concat!("sizeof ", $name), size_of::<$t>());
            put(concat!("alignof ", $name), align_of::<$t>());
            put(concat!("offsetof ", $name, ".size"), offset_of!($t, size));
            put(concat!("offsetof ", $name, ".data"), offset_of!($t, data));
            put(concat!("sizeof ", $name, ".data[0]"), size_of::<$elem>());
        };
    }
    vec_layout!("wasm_byte_vec_t", vec::wasm_byte_vec_t, vec::wasm_byte_t);
    vec_layout!("wasm_valtype_vec_t", types::valtype::wasm_valtype_vec_t, *mut u8);
    vec_layout!(
        "wasm_functype_vec_t",
        types::functype::wasm_functype_vec_t,
        *mut u8
    );
    vec_layout!(
        "wasm_globaltype_vec_t",
        types::globaltype::wasm_globaltype_vec_t,
        *mut u8
    );
    vec_layout!(
        "wasm_tabletype_vec_t",
        types::tabletype::wasm_tabletype_vec_t,
        *mut u8
    );
    vec_layout!(
        "wasm_memorytype_vec_t",
        types::memorytype::wasm_memorytype_vec_t,
        *mut u8
    );
    vec_layout!("wasm_tagtype_vec_t", types::tagtype::wasm_tagtype_vec_t, *mut u8);
    vec_layout!(
        "wasm_externtype_vec_t",
        types::externtype::wasm_externtype_vec_t,
        *mut u8
    );
    vec_layout!(
        "wasm_importtype_vec_t",
        types::importtype::wasm_importtype_vec_t,
        *mut u8
    );
    vec_layout!(
        "wasm_exporttype_vec_t",
        types::exporttype::wasm_exporttype_vec_t,
        *mut u8
    );
    vec_layout!("wasm_val_vec_t", val::wasm_val_vec_t, val::wasm_val_t);
    vec_layout!("wasm_frame_vec_t", frame::wasm_frame_vec_t, *mut u8);
    vec_layout!("wasm_extern_vec_t", externs::wasm_extern_vec_t, *mut u8);
    // The element types of pointer vectors are nullable owned pointers.
    assert_eq!(
        size_of::<Option<Box<types::valtype::wasm_valtype_t>>>(),
        size_of::<*mut u8>()
    );
    assert_eq!(size_of::<Option<Box<refs::wasm_ref_t>>>(), size_of::<*mut u8>());
    use types::valtype as vt;
    for (k, v) in [
        ("WASM_I32", vt::WASM_I32),
        ("WASM_I64", vt::WASM_I64),
        ("WASM_F32", vt::WASM_F32),
        ("WASM_F64", vt::WASM_F64),
        ("WASM_EXTERNREF", vt::WASM_EXTERNREF),
        ("WASM_FUNCREF", vt::WASM_FUNCREF),
        ("WASM_CONST", types::globaltype::WASM_CONST),
        ("WASM_VAR", types::globaltype::WASM_VAR),
        ("WASM_EXTERN_FUNC", 0),
        ("WASM_EXTERN_GLOBAL", 1),
        ("WASM_EXTERN_TABLE", 2),
        ("WASM_EXTERN_MEMORY", 3),
        ("WASM_EXTERN_TAG", 4),
    ] {
        put(k, v as usize);
    }
    m
}

#[test]
fn struct_layouts_and_enumerators_match_the_header() {
    let c = c_layout();
    let rust = rust_layout();
    let mut seen = 0;
    for (k, v) in &c {
        let r = rust.get(k).unwrap_or_else(|| panic!("no Rust fact for `{k}`"));
        assert_eq!(r, v, "{k}: Rust says {r}, the header says {v}");
        seen += 1;
    }
    assert_eq!(seen, rust.len(), "facts compared");
    // Pinned by the API itself, whatever both sides say.
    let get = |k: &str| c.iter().find(|(n, _)| n == k).unwrap().1;
    assert_eq!(get("sizeof wasm_val_t"), 16);
    assert_eq!(get("offsetof wasm_val_t.of"), 8);
    assert_eq!(get("sizeof wasm_limits_t"), 8);
    assert_eq!(get("WASM_EXTERNREF"), 128);
    assert_eq!(get("WASM_EXTERN_TAG"), 4);
}
