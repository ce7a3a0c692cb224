//! Lists every file under `web/static` for `src/assets.rs`, which embeds them in the binary.
//!
//! A build script rather than a hand-kept list: adding a file to `web/static` (or re-vendoring
//! KaTeX with a different set of fonts) then needs no code change, and a file can never be on disk
//! yet silently missing from the site. It writes `$OUT_DIR/static_files.rs`: a sorted array of
//! `(path under web/static, include_bytes!(absolute path))`. Hashing stays in `assets.rs`, at
//! first use, so there is one FNV implementation and it is unit-tested there.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("static");
    // A directory here makes cargo rescan everything under it for changes.
    println!("cargo:rerun-if-changed=static");
    println!("cargo:rerun-if-changed=build.rs");

    let mut files = Vec::new();
    if root.is_dir() {
        walk(&root, &root, &mut files);
    }
    files.sort();

    let mut out = String::from("&[\n");
    for (relative, absolute) in &files {
        writeln!(out, "    ({relative:?}, include_bytes!({absolute:?})),").unwrap();
    }
    out.push_str("]\n");
    let target =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("static_files.rs");
    fs::write(&target, out).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}

/// Every regular file below `dir`, as ("a/b.css" with forward slashes, absolute path). Hidden files
/// and editor leftovers (`.DS_Store`, `.swp`, `foo~`) are skipped: they are not part of the site.
fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let path = entry.path();
        let kind = entry
            .file_type()
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        if kind.is_dir() {
            walk(root, &path, files);
        } else if kind.is_file() {
            let relative = path.strip_prefix(root).expect("below the root");
            let relative: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let absolute = path.canonicalize().unwrap_or(path.clone());
            files.push((relative.join("/"), absolute.to_string_lossy().into_owned()));
        }
    }
}
