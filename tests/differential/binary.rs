//! Just enough of the binary format to edit modules at the section level:
//! list sections, add or remove an export, replace a function body with
//! `unreachable`, drop a section. Used to expose wasm-smith's fuel global
//! and by the minimiser. Every function returns `None` on input it does
//! not understand.

/// Section ids.
pub const CUSTOM: u8 = 0;
pub const TYPE: u8 = 1;
pub const EXPORT: u8 = 7;
pub const START: u8 = 8;
pub const CODE: u8 = 10;

/// Order of the known (non-custom) sections in a module.
fn rank(id: u8) -> u8 {
    match id {
        1..=5 => id,
        13 => 6, // tag
        6 => 7,
        7 => 8,
        8 => 9,
        9 => 10,
        12 => 11, // data count
        10 => 12,
        11 => 13,
        _ => 0,
    }
}

/// One section: its id, where it starts (id byte) and its contents.
#[derive(Clone, Debug)]
pub struct Section {
    pub id: u8,
    pub start: usize,
    pub content: std::ops::Range<usize>,
}

pub fn read_leb(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut result: u64 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        result |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return u32::try_from(result).ok();
        }
    }
    None
}

pub fn write_leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub fn sections(bytes: &[u8]) -> Option<Vec<Section>> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let start = pos;
        let id = bytes[pos];
        pos += 1;
        let len = read_leb(bytes, &mut pos)? as usize;
        let end = pos.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        out.push(Section {
            id,
            start,
            content: pos..end,
        });
        pos = end;
    }
    Some(out)
}

fn encode_section(out: &mut Vec<u8>, id: u8, content: &[u8]) {
    out.push(id);
    write_leb(out, content.len() as u32);
    out.extend_from_slice(content);
}

/// Rebuilds the module with section `index` replaced by `content` (or
/// removed when `None`).
pub fn replace_section(bytes: &[u8], secs: &[Section], index: usize, content: Option<&[u8]>) -> Vec<u8> {
    let mut out = bytes[..8].to_vec();
    for (i, s) in secs.iter().enumerate() {
        if i == index {
            if let Some(c) = content {
                encode_section(&mut out, s.id, c);
            }
        } else {
            out.extend_from_slice(&bytes[s.start..s.content.end]);
        }
    }
    out
}

/// The entries of a vector-shaped section: the count and each entry's
/// byte range, using `entry_end` to find where an entry stops.
fn entries(
    bytes: &[u8],
    sec: &Section,
    entry_end: impl Fn(&[u8], usize) -> Option<usize>,
) -> Option<Vec<std::ops::Range<usize>>> {
    let mut pos = sec.content.start;
    let n = read_leb(bytes, &mut pos)?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let end = entry_end(bytes, pos)?;
        if end > sec.content.end {
            return None;
        }
        out.push(pos..end);
        pos = end;
    }
    Some(out)
}

fn export_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let len = read_leb(bytes, &mut pos)? as usize;
    pos += len + 1;
    read_leb(bytes, &mut pos)?;
    Some(pos)
}

fn body_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let len = read_leb(bytes, &mut pos)? as usize;
    Some(pos + len)
}

fn vector(bytes: &[u8], items: impl Iterator<Item = std::ops::Range<usize>>, extra: &[&[u8]]) -> Vec<u8> {
    let items: Vec<_> = items.collect();
    let mut content = Vec::new();
    write_leb(&mut content, (items.len() + extra.len()) as u32);
    for r in items {
        content.extend_from_slice(&bytes[r]);
    }
    for e in extra {
        content.extend_from_slice(e);
    }
    content
}

pub fn has_start(bytes: &[u8]) -> bool {
    sections(bytes).is_some_and(|s| s.iter().any(|s| s.id == START))
}

/// Adds an export of `kind` (0 func, 1 table, 2 memory, 3 global) `index`.
pub fn add_export(bytes: &[u8], name: &str, kind: u8, index: u32) -> Option<Vec<u8>> {
    let secs = sections(bytes)?;
    let mut entry = Vec::new();
    write_leb(&mut entry, name.len() as u32);
    entry.extend_from_slice(name.as_bytes());
    entry.push(kind);
    write_leb(&mut entry, index);
    if let Some(i) = secs.iter().position(|s| s.id == EXPORT) {
        let list = entries(bytes, &secs[i], export_end)?;
        let content = vector(bytes, list.into_iter(), &[&entry]);
        return Some(replace_section(bytes, &secs, i, Some(&content)));
    }
    // No export section: insert one before the first section ranked after it.
    let at = secs
        .iter()
        .find(|s| s.id != CUSTOM && rank(s.id) > rank(EXPORT))
        .map_or(bytes.len(), |s| s.start);
    let mut out = bytes[..at].to_vec();
    let mut content = Vec::new();
    write_leb(&mut content, 1);
    content.extend_from_slice(&entry);
    encode_section(&mut out, EXPORT, &content);
    out.extend_from_slice(&bytes[at..]);
    Some(out)
}

/// Number of exports.
pub fn export_count(bytes: &[u8]) -> usize {
    (|| {
        let secs = sections(bytes)?;
        let s = secs.iter().find(|s| s.id == EXPORT)?;
        Some(entries(bytes, s, export_end)?.len())
    })()
    .unwrap_or(0)
}

/// The name of export `k`.
pub fn export_name(bytes: &[u8], k: usize) -> Option<String> {
    let secs = sections(bytes)?;
    let s = secs.iter().find(|s| s.id == EXPORT)?;
    let r = entries(bytes, s, export_end)?.into_iter().nth(k)?;
    let mut pos = r.start;
    let len = read_leb(bytes, &mut pos)? as usize;
    String::from_utf8(bytes.get(pos..pos + len)?.to_vec()).ok()
}

/// The module without export `k`.
pub fn remove_export(bytes: &[u8], k: usize) -> Option<Vec<u8>> {
    let secs = sections(bytes)?;
    let i = secs.iter().position(|s| s.id == EXPORT)?;
    let list = entries(bytes, &secs[i], export_end)?;
    if k >= list.len() {
        return None;
    }
    let content = vector(
        bytes,
        list.into_iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, r)| r),
        &[],
    );
    Some(replace_section(bytes, &secs, i, Some(&content)))
}

/// Number of function bodies.
pub fn body_count(bytes: &[u8]) -> usize {
    (|| {
        let secs = sections(bytes)?;
        let s = secs.iter().find(|s| s.id == CODE)?;
        Some(entries(bytes, s, body_end)?.len())
    })()
    .unwrap_or(0)
}

/// The module with function body `k` replaced by `unreachable` (valid for
/// any signature), unless it already is that.
pub fn stub_body(bytes: &[u8], k: usize) -> Option<Vec<u8>> {
    const STUB: &[u8] = &[3, 0, 0x00, 0x0b];
    let secs = sections(bytes)?;
    let i = secs.iter().position(|s| s.id == CODE)?;
    let list = entries(bytes, &secs[i], body_end)?;
    if bytes.get(list.get(k)?.clone())? == STUB {
        return None;
    }
    let mut content = Vec::new();
    write_leb(&mut content, list.len() as u32);
    for (j, r) in list.into_iter().enumerate() {
        if j == k {
            content.extend_from_slice(STUB);
        } else {
            content.extend_from_slice(&bytes[r]);
        }
    }
    Some(replace_section(bytes, &secs, i, Some(&content)))
}

/// The module without its `n`th section of id `id`.
pub fn remove_section(bytes: &[u8], id: u8, n: usize) -> Option<Vec<u8>> {
    let secs = sections(bytes)?;
    let i = secs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.id == id)
        .nth(n)
        .map(|(i, _)| i)?;
    Some(replace_section(bytes, &secs, i, None))
}
