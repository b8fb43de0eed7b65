//! House rules checked by `cargo test`: every Rust file says what it is
//! for, and no placeholder reaches a path a user can run.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn rust_files() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for top in ["crates", "xtask"] {
            collect(&root.join(top), &mut files);
        }
        assert!(files.len() > 20, "found only {} Rust files", files.len());
        files
    }

    fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).expect("readable folder");
        for entry in entries {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                collect(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }

    #[test]
    fn every_rust_file_opens_with_a_module_doc() {
        let undocumented: Vec<_> = rust_files()
            .into_iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).expect("readable file");
                !text.starts_with("//!")
            })
            .collect();
        assert!(undocumented.is_empty(), "files without a `//!` doc: {undocumented:?}");
    }

    #[test]
    fn no_placeholders_or_trailing_whitespace() {
        // Spelled in two halves so that this file does not flag itself.
        let placeholders =
            [concat!("todo", "!("), concat!("unimplemented", "!("), concat!("dbg", "!(")];
        let mut problems = Vec::new();
        for path in rust_files() {
            let text = std::fs::read_to_string(&path).expect("readable file");
            for (idx, line) in text.lines().enumerate() {
                let place = format!("{}:{}", path.display(), idx + 1);
                if placeholders.iter().any(|p| line.contains(p)) {
                    problems.push(format!("{place}: placeholder"));
                }
                if line.ends_with(' ') || line.ends_with('\t') {
                    problems.push(format!("{place}: trailing whitespace"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
