//! Binary-format rules that `wasmparser` relaxes because it also decodes
//! memory64 and multi-memory: in WebAssembly 2.0 memory limits and memarg
//! offsets are `u32` LEB128s (at most 5 bytes), and the memory index of
//! `memory.size`/`memory.grow` is a single zero byte.

use crate::core::Error;

#[cold]
fn too_long(at: usize) -> Error {
    Error::malformed("integer representation too long", Some(at as u64))
}

/// Skips a `u32` LEB128 at `pos`, rejecting encodings longer than 5 bytes.
fn skip_u32(bytes: &[u8], mut pos: usize) -> Result<usize, Error> {
    let start = pos;
    loop {
        let Some(&b) = bytes.get(pos) else {
            // Truncation is reported by the main decoder.
            return Ok(pos);
        };
        pos += 1;
        if b & 0x80 == 0 {
            return Ok(pos);
        }
        if pos - start >= 5 {
            return Err(too_long(start));
        }
    }
}

/// Checks a memory type (limits) starting at `pos`.
pub(crate) fn memory_type(bytes: &[u8], pos: usize) -> Result<(), Error> {
    let Some(&flags) = bytes.get(pos) else {
        return Ok(());
    };
    let next = skip_u32(bytes, pos + 1)?;
    if flags & 1 != 0 {
        skip_u32(bytes, next)?;
    }
    Ok(())
}

/// Checks every memory type of a memory section (its contents start at `pos`).
pub(crate) fn memory_section(bytes: &[u8], start: usize) -> Result<(), Error> {
    let mut reader = wasmparser::BinaryReader::new(&bytes[start.min(bytes.len())..], start as u64);
    let Ok(count) = reader.read_var_u32() else {
        return Ok(());
    };
    for _ in 0..count {
        let pos = reader.original_position() as usize;
        memory_type(bytes, pos)?;
        if reader.read::<wasmparser::MemoryType>().is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Checks a memory import's type; `pos` is the offset of the import entry.
pub(crate) fn memory_import(bytes: &[u8], pos: usize) -> Result<(), Error> {
    let mut reader = wasmparser::BinaryReader::new(&bytes[pos.min(bytes.len())..], pos as u64);
    if reader.read_string().is_err() || reader.read_string().is_err() || reader.read_u8().is_err() {
        return Ok(());
    }
    memory_type(bytes, reader.original_position() as usize)
}

/// Checks the immediates of the memory operator at `pos` (its opcode byte).
pub(crate) fn memory_op(bytes: &[u8], pos: usize) -> Result<(), Error> {
    match bytes.get(pos) {
        // Loads and stores: alignment, then offset.
        Some(0x28..=0x3e) => {
            let next = skip_u32(bytes, pos + 1)?;
            skip_u32(bytes, next)?;
        }
        // memory.size / memory.grow: one reserved zero byte.
        Some(0x3f | 0x40) if bytes.get(pos + 1) != Some(&0) => {
            return Err(Error::malformed("zero byte expected", Some(pos as u64 + 1)));
        }
        _ => {}
    }
    Ok(())
}
