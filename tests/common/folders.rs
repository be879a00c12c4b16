//! Output folders as the tests see them: listings, a build's hidden partial folder and its
//! writer's pid, and two trees compared (byte for byte, or HDF5 content through `h5diff`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{spawn, tail};

/// The names of the entries of `dir`, sorted (hidden ones too).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The hidden `.netbuild-partial-PID` folders a build writes into, inside `target`.
pub fn partial_dirs(target: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(target) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".netbuild-partial-")
            })
            .map(|e| e.path())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The pid of the writer (rank 0) of a build in progress, from its hidden folder's name
/// (`.netbuild-partial-<pid>`).
pub fn writer_pid(partial: &Path) -> u32 {
    partial
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit('-').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("{}: not .netbuild-partial-<pid>", partial.display()))
}

/// A file or a folder, as found in an output tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Dir,
    File(u64),
}

fn walk(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
        let rd =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in rd {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                out.insert(rel, Entry::Dir);
                go(root, &path, out);
            } else {
                out.insert(rel, Entry::File(meta.len()));
            }
        }
    }
    let mut out = BTreeMap::new();
    go(root, root, &mut out);
    out
}

/// The offset of the first byte where the files differ, `None` if they are identical.
fn first_difference(a: &Path, b: &Path) -> Option<u64> {
    const CHUNK: usize = 8 << 20;
    let mut fa = std::fs::File::open(a).unwrap_or_else(|e| panic!("{}: {e}", a.display()));
    let mut fb = std::fs::File::open(b).unwrap_or_else(|e| panic!("{}: {e}", b.display()));
    let (mut ba, mut bb) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
    let mut offset = 0u64;
    loop {
        let na = read_full(&mut fa, &mut ba);
        let nb = read_full(&mut fb, &mut bb);
        if let Some(i) = ba[..na.min(nb)]
            .iter()
            .zip(&bb[..na.min(nb)])
            .position(|(x, y)| x != y)
        {
            return Some(offset + i as u64);
        }
        if na != nb {
            return Some(offset + na.min(nb) as u64);
        }
        if na == 0 {
            return None;
        }
        offset += na as u64;
    }
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    n
}

/// Whether `tool` runs (e.g. `h5diff`, `h5dump`).
pub fn have_tool(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The first lines of `h5diff -r a b`, to say what differs in an HDF5 file.
fn h5diff_lines(a: &Path, b: &Path) -> String {
    if !have_tool("h5diff") {
        return "(h5diff not available)".into();
    }
    let mut cmd = Command::new("h5diff");
    cmd.arg("-r").arg(a).arg(b);
    let mut running = spawn(cmd);
    match running.wait_until(Duration::from_secs(120)) {
        Some(status) => {
            let r = running.finish(status);
            let all: Vec<&str> = r.stdout.lines().chain(r.stderr.lines()).collect();
            // Each differing object with its count ("dataset: </a> and </a>" then "7
            // differences found"), without the value tables, which would hide which objects
            // differ.
            let mut summary: Vec<&str> = Vec::new();
            let mut object = None;
            for l in all.iter().copied() {
                if l.starts_with("dataset:")
                    || l.starts_with("attribute:")
                    || l.starts_with("group:")
                {
                    object = Some(l);
                } else if (l.contains("differences found") && !l.starts_with("0 "))
                    || l.to_lowercase().contains("not comparable")
                {
                    summary.extend(object.take());
                    summary.push(l);
                }
            }
            summary.truncate(40);
            let lines = if summary.is_empty() {
                &all[..all.len().min(30)]
            } else {
                &summary[..]
            };
            format!("h5diff -r ({}):\n{}", r.status, lines.join("\n"))
        }
        None => {
            running.kill_all();
            "(h5diff timed out)".into()
        }
    }
}

/// Asserts that folders `expected` and `actual` hold the same files and folders, every file
/// byte-identical. `what` names the comparison in the panic message.
pub fn assert_same_tree(expected: &Path, actual: &Path, what: &str) {
    compare_trees(expected, actual, what, false)
}

/// Like [`assert_same_tree`], but HDF5 files need only hold the same content (`h5diff`
/// finds no difference in any dataset, group or attribute), not the same bytes: for the
/// parallel writer, whose MPI-IO layout differs from one process's.
pub fn assert_same_content(expected: &Path, actual: &Path, what: &str) {
    assert!(
        have_tool("h5diff"),
        "h5diff is needed (apt-get install hdf5-tools)"
    );
    compare_trees(expected, actual, what, true)
}

/// Whether `h5diff` finds the two files equal (exit status 0).
fn h5_equal(a: &Path, b: &Path) -> bool {
    let mut cmd = Command::new("h5diff");
    cmd.arg("-q").arg(a).arg(b);
    let mut running = spawn(cmd);
    match running.wait_until(Duration::from_secs(300)) {
        Some(status) => status.success(),
        None => false,
    }
}

fn compare_trees(expected: &Path, actual: &Path, what: &str, h5_content: bool) {
    let a = walk(expected);
    let b = walk(actual);
    assert!(!a.is_empty(), "{what}: {} is empty", expected.display());
    let missing: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let extra: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: different file sets: {} lacks {missing:?}, has extra {extra:?} (vs {})",
        actual.display(),
        expected.display()
    );
    let mut problems = Vec::new();
    for (rel, ea) in &a {
        let eb = b[rel];
        let (pa, pb) = (expected.join(rel), actual.join(rel));
        let is_h5 = rel.extension().is_some_and(|e| e == "h5");
        if h5_content && is_h5 && h5_equal(&pa, &pb) {
            continue;
        }
        if rel.as_os_str() == ".netbuild.json" {
            // Its files' times differ from build to build: the same files suffice.
            if let Some(d) = manifest_difference(&pa, &pb) {
                problems.push(format!(".netbuild.json: {d}"));
            }
            continue;
        }
        let diff = match (ea, eb) {
            (Entry::Dir, Entry::Dir) => continue,
            (Entry::File(la), Entry::File(lb)) if *la != lb => {
                Some(format!("sizes differ: {la} vs {lb} bytes"))
            }
            (Entry::File(_), Entry::File(_)) => {
                first_difference(&pa, &pb).map(|off| format!("first difference at byte {off}"))
            }
            _ => Some(format!("{ea:?} vs {eb:?}")),
        };
        if let Some(d) = diff {
            let mut msg = format!("{}: {d}", rel.display());
            if rel.extension().is_some_and(|e| e == "h5") {
                msg.push('\n');
                msg.push_str(&h5diff_lines(&pa, &pb));
            } else if rel.extension().is_some_and(|e| e == "csv" || e == "json") {
                let ta = std::fs::read_to_string(&pa).unwrap_or_default();
                let tb = std::fs::read_to_string(&pb).unwrap_or_default();
                msg.push_str(&format!(
                    "\n--- expected ---\n{}\n--- actual ---\n{}",
                    tail(&ta, 20),
                    tail(&tb, 20)
                ));
            }
            problems.push(msg);
        }
    }
    assert!(
        problems.is_empty(),
        "{what}: {} differs from {}:\n{}",
        actual.display(),
        expected.display(),
        problems.join("\n\n")
    );
}

/// How two manifests (`.netbuild.json`) differ in what they list (files, folders), not in the
/// files' times and sizes (an HDF5 file's bytes depend on the writer: compared on their own);
/// `None` when they list the same.
fn manifest_difference(a: &Path, b: &Path) -> Option<String> {
    let listed = |p: &Path| {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let files: Vec<String> = json["files"]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no \"files\"", p.display()))
            .keys()
            .cloned()
            .collect();
        (files, json["dirs"].clone())
    };
    let (la, lb) = (listed(a), listed(b));
    (la != lb).then(|| format!("lists {la:?} vs {lb:?}"))
}
