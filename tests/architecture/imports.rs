//! Each crate's module import graph, and the circles in it.
//!
//! In: a crate root (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`). Out: its files (found by
//! following `mod name;` declarations to `name.rs` or `name/mod.rs`, as rustc does), the arrows
//! between them, and every circle of files.
//!
//! How a reference is resolved to a file: in the text without comments and strings
//! (`lexer::code_only`), every path that starts with `crate::` or `super::` (`$crate` excepted),
//! in a `use` (groups `{a, b::c}` expanded) or in code (`crate::x::f()`), is made absolute: `crate`
//! is the crate root, each `super` drops one module from the module the reference is in (an
//! inline `mod tests { use super::*; }` counts as a module inside its file), `self` segments are
//! skipped. The path's longest prefix that names a module *file* is where the item is found; if
//! that file re-exports the item (`pub use child::X`, `pub(crate) use crate::x::Y`: see
//! [`crate::reexports`]), the arrow follows the re-export to the file that names it, and so on
//! (at most 8 hops): `use crate::Error`, re-exported at the root from `error.rs`, is an arrow to
//! `error.rs`, not to the root. A re-export from another crate (`crate::circuit::Selector`,
//! defined in netbuild-types) ends at the re-exporting file.
//!
//! Test code is not the crate's layering: arrows from a `#[cfg(test)]` module (inline, or a
//! file declared under it) are left out.
//!
//! Not circles: an arrow between a file and its own ancestors or descendants (`use super::X` in a
//! submodule, `pub use child::Y` in its parent, `crate::Error` re-exported at the root) is left
//! out, so a file and its own submodules never make a circle. Circles between siblings, cousins
//! or anything else are reported. Paths without `crate`/`super`/`self` (other crates, or a
//! parent's bare `child::f`) are other crates or descendants and need no resolving.

use crate::lexer::{code_only, is_ident, is_ident_start, matching_brace};
use crate::reexports::reexports;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One file of a crate's module tree.
pub struct ModuleFile {
    /// How messages name it (its path from the repository).
    pub name: String,
    /// Its module path from the crate root (`[]` for the root, `["write", "index"]`).
    pub module: Vec<String>,
    /// Its text with comments and strings blanked.
    code: String,
    /// What it re-exports: (name here, path as written).
    reexports: Vec<(String, Vec<String>)>,
    /// Declared under `#[cfg(test)]`: its arrows are the tests', not the crate's.
    test_only: bool,
}

impl ModuleFile {
    pub fn new(name: &str, module: &str, src: &str) -> ModuleFile {
        let code = code_only(src);
        ModuleFile {
            name: name.to_string(),
            module: module
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            reexports: reexports(&code),
            code,
            test_only: false,
        }
    }
}

/// An arrow of the import graph: file `from` names file `to` on `line`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub line: usize,
}

/// The crate roots of the package in `dir`: its library, main binary and `src/bin` binaries.
pub fn crate_roots(dir: &Path) -> Vec<PathBuf> {
    let src = dir.join("src");
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .filter(|p| p.is_file())
        .collect();
    if let Ok(entries) = std::fs::read_dir(src.join("bin")) {
        let mut bins: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .map(|p| if p.is_dir() { p.join("main.rs") } else { p })
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rs"))
            .collect();
        bins.sort();
        roots.extend(bins);
    }
    roots
}

/// The files of the crate rooted at `root`, found by following `mod name;` declarations.
/// Names are paths from `repo`.
pub fn module_tree(repo: &Path, root: &Path) -> Vec<ModuleFile> {
    let mut files = Vec::new();
    let mut todo = vec![(root.to_path_buf(), String::new(), true, false)];
    while let Some((path, module, owns_dir, test_only)) = todo.pop() {
        let src = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let name = path
            .strip_prefix(repo)
            .unwrap_or(&path)
            .display()
            .to_string();
        let mut file = ModuleFile::new(&name, &module, &src);
        file.test_only = test_only;
        let parent = path.parent().expect("a file has a folder");
        let dir = if owns_dir {
            parent.to_path_buf()
        } else {
            parent.join(path.file_stem().expect("a file name"))
        };
        for (child, test) in declared_modules(&file.code) {
            let module = format!("{module}::{child}");
            let flat = dir.join(format!("{child}.rs"));
            if flat.is_file() {
                todo.push((flat, module, false, test_only || test));
            } else {
                todo.push((
                    dir.join(&child).join("mod.rs"),
                    module,
                    true,
                    test_only || test,
                ));
            }
        }
        files.push(file);
    }
    files.sort_by(|a, b| a.module.cmp(&b.module));
    files
}

/// The words of `c` from `i`: (start, word) for each identifier, keywords included.
fn words(c: &[char]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if is_ident_start(c[i]) && (i == 0 || !is_ident(c[i - 1])) {
            let start = i;
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
            out.push((start, c[start..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    out
}

fn skip_ws(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i].is_whitespace() {
        i += 1;
    }
    i
}

/// An inline module of a file (`mod name { ... }`).
struct Inline {
    name: String,
    open: usize,
    close: usize,
    /// Under `#[cfg(test)]`.
    test: bool,
}

/// Whether the `mod` at `at` is declared under `#[cfg(test)]` (visibility allowed between).
fn under_cfg_test(c: &[char], at: usize) -> bool {
    let before: String = c[at.saturating_sub(80)..at].iter().collect();
    let before = before.trim_end();
    let before = before.strip_suffix("pub(crate)").unwrap_or(before);
    let before = before.strip_suffix("pub").unwrap_or(before).trim_end();
    before.ends_with("#[cfg(test)]")
}

/// The inline modules of a file.
fn inline_modules(c: &[char]) -> Vec<Inline> {
    let ws = words(c);
    let mut out = Vec::new();
    for pair in ws.windows(2) {
        let ((at, kw), (start, name)) = (&pair[0], &pair[1]);
        let open = skip_ws(c, start + name.len());
        if kw == "mod" && c.get(open) == Some(&'{') {
            if let Some(close) = matching_brace(c, open) {
                let test = under_cfg_test(c, *at);
                out.push(Inline {
                    name: name.clone(),
                    open,
                    close,
                    test,
                });
            }
        }
    }
    out
}

/// The modules a file declares as files (`mod name;`, outside inline modules), each with
/// whether it is declared under `#[cfg(test)]`.
fn declared_modules(code: &str) -> Vec<(String, bool)> {
    let c: Vec<char> = code.chars().collect();
    let inline = inline_modules(&c);
    let ws = words(&c);
    ws.windows(2)
        .filter(|p| p[0].1 == "mod")
        .filter(|p| c.get(skip_ws(&c, p[1].0 + p[1].1.len())) == Some(&';'))
        .filter(|p| !inline.iter().any(|m| (m.open..m.close).contains(&p[1].0)))
        .map(|p| (p[1].1.clone(), under_cfg_test(&c, p[0].0)))
        .collect()
}

/// The paths of a path tree from `i` (`a::b`, `a::{b, c::d}`, `a::*`), and where it ends.
fn path_tree(c: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        i = skip_ws(c, i);
        match c.get(i) {
            Some('{') => {
                let mut all = Vec::new();
                i += 1;
                loop {
                    i = skip_ws(c, i);
                    match c.get(i) {
                        Some('}') => return (all, i + 1),
                        Some(',') => i += 1,
                        Some(_) => {
                            let (paths, end) = path_tree(c, i);
                            if end == i {
                                return (all, i); // not a path: malformed, stop here
                            }
                            all.extend(paths.into_iter().map(|p| [prefix.clone(), p].concat()));
                            i = end;
                        }
                        None => return (all, i),
                    }
                }
            }
            Some(&ch) if is_ident_start(ch) => {
                let start = i;
                while i < c.len() && is_ident(c[i]) {
                    i += 1;
                }
                prefix.push(c[start..i].iter().collect());
            }
            _ => return (vec![prefix], i),
        }
        let next = skip_ws(c, i);
        if c.get(next) == Some(&':') && c.get(next + 1) == Some(&':') {
            i = next + 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// The arrows between `files` (one crate's module tree), as the module docs say.
pub fn arrows(files: &[ModuleFile]) -> Vec<Arrow> {
    let by_module: BTreeMap<&[String], usize> = files
        .iter()
        .enumerate()
        .map(|(k, f)| (f.module.as_slice(), k))
        .collect();
    let mut out = Vec::new();
    for (from, file) in files.iter().enumerate().filter(|(_, f)| !f.test_only) {
        let c: Vec<char> = file.code.chars().collect();
        let inline = inline_modules(&c);
        let mut resume = 0;
        for (start, word) in words(&c) {
            if start < resume || !(word == "crate" || word == "super") {
                continue;
            }
            if start > 0 && c[start - 1] == '$' {
                continue; // $crate in a macro: the crate using it
            }
            let (paths, end) = path_tree(&c, start);
            resume = end;
            // The module the reference is in: the file's, then each inline module around it.
            let around: Vec<&Inline> = inline
                .iter()
                .filter(|m| (m.open..m.close).contains(&start))
                .collect();
            if around.iter().any(|m| m.test) {
                continue;
            }
            let mut here = file.module.clone();
            here.extend(around.iter().map(|m| m.name.clone()));
            let line = 1 + c[..start].iter().filter(|&&ch| ch == '\n').count();
            for path in paths.iter().filter(|p| p.len() > 1) {
                let Some(to) = follow(files, &by_module, &here, path) else {
                    continue;
                };
                let (a, b) = (&file.module, &files[to].module);
                if !(a.starts_with(b) || b.starts_with(a)) {
                    out.push(Arrow { from, to, line });
                }
            }
        }
    }
    out
}

/// The file that defines what `path` (starting with `crate` or `super`, written in module
/// `here`) names: the file [`resolve`] finds it in, then through each re-export of the item there
/// to the file the re-export names.
fn follow(
    files: &[ModuleFile],
    by_module: &BTreeMap<&[String], usize>,
    here: &[String],
    path: &[String],
) -> Option<usize> {
    let (mut to, mut abs, mut found) = resolve(here, path, by_module)?;
    for _ in 0..8 {
        let Some(item) = abs.get(found) else { break };
        let Some((_, target)) = files[to].reexports.iter().find(|(name, _)| name == item) else {
            break;
        };
        // The re-export's path is written in the re-exporting module: `crate::`, `super::`,
        // `self::` or a child module's name (another crate's name ends in that module's file).
        let next: Vec<String> = [target.as_slice(), &abs[found + 1..]].concat();
        let Some((to2, abs2, found2)) = resolve(&files[to].module, &next, by_module) else {
            break;
        };
        if to2 == to && found2 == files[to].module.len() {
            break;
        }
        (to, abs, found) = (to2, abs2, found2);
    }
    Some(to)
}

/// The file a path (starting with `crate` or `super`, or else relative to `here`) names,
/// written in module `here`: (the file, the absolute path, how many of its segments name the
/// file's module).
fn resolve(
    here: &[String],
    path: &[String],
    by_module: &BTreeMap<&[String], usize>,
) -> Option<(usize, Vec<String>, usize)> {
    let mut abs: Vec<String> = Vec::new();
    let mut rest = path.iter().peekable();
    if path[0] == "crate" {
        rest.next();
    } else {
        abs = here.to_vec();
        while rest.peek().is_some_and(|s| *s == "super") {
            rest.next();
            abs.pop()?;
        }
    }
    abs.extend(rest.filter(|s| *s != "self").cloned());
    let (n, to) = (0..=abs.len())
        .rev()
        .find_map(|n| by_module.get(&abs[..n]).map(|&to| (n, to)))?;
    Some((to, abs, n))
}

/// A circle of files: a shortest one (its nodes, the first repeated at the end) through the
/// first file of a knot (a strongly connected component of more than one file), and the knot's
/// files: every file reachable from every other, each on some circle.
pub struct Circle {
    pub path: Vec<usize>,
    pub knot: Vec<usize>,
}

/// Every knot of the graph, as a [`Circle`].
pub fn circles(nodes: usize, arrows: &[Arrow]) -> Vec<Circle> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for a in arrows {
        if !next[a.from].contains(&a.to) {
            next[a.from].push(a.to);
        }
    }
    let component = components(&next);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for start in 0..nodes {
        let id = component[start];
        if !seen.insert(id) || component.iter().filter(|&&c| c == id).count() < 2 {
            continue;
        }
        // Breadth first from `start` inside its component, back to `start`.
        let mut came_from = vec![usize::MAX; nodes];
        let mut queue = std::collections::VecDeque::from([start]);
        'search: while let Some(n) = queue.pop_front() {
            for &m in &next[n] {
                if component[m] != id {
                    continue;
                }
                if m == start {
                    let mut path = vec![start, n];
                    let mut k = n;
                    while k != start {
                        k = came_from[k];
                        path.push(k);
                    }
                    path.reverse();
                    let knot = (0..nodes).filter(|&k| component[k] == id).collect();
                    out.push(Circle { path, knot });
                    break 'search;
                }
                if came_from[m] == usize::MAX {
                    came_from[m] = n;
                    queue.push_back(m);
                }
            }
        }
    }
    out
}

/// Tarjan's strongly connected components: a component id per node.
fn components(next: &[Vec<usize>]) -> Vec<usize> {
    struct State<'a> {
        next: &'a [Vec<usize>],
        index: Vec<usize>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        component: Vec<usize>,
        counter: usize,
        components: usize,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = s.counter;
        s.low[v] = s.counter;
        s.counter += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for k in 0..s.next[v].len() {
            let w = s.next[v][k];
            if s.index[w] == usize::MAX {
                visit(s, w);
                s.low[v] = s.low[v].min(s.low[w]);
            } else if s.on_stack[w] {
                s.low[v] = s.low[v].min(s.index[w]);
            }
        }
        if s.low[v] == s.index[v] {
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                s.component[w] = s.components;
                if w == v {
                    break;
                }
            }
            s.components += 1;
        }
    }
    let n = next.len();
    let mut s = State {
        next,
        index: vec![usize::MAX; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        component: vec![0; n],
        counter: 0,
        components: 0,
    };
    for v in 0..n {
        if s.index[v] == usize::MAX {
            visit(&mut s, v);
        }
    }
    s.component
}

/// A circle as a message: each file with the line of its reference to the next, then the
/// knot's other files if there are more.
pub fn describe(files: &[ModuleFile], arrows: &[Arrow], circle: &Circle) -> String {
    let mut parts = Vec::new();
    for pair in circle.path.windows(2) {
        let line = arrows
            .iter()
            .find(|a| a.from == pair[0] && a.to == pair[1])
            .map_or(0, |a| a.line);
        parts.push(format!("{}:{line}", files[pair[0]].name));
    }
    parts.push(files[circle.path[0]].name.clone());
    let others: Vec<&str> = circle
        .knot
        .iter()
        .filter(|k| !circle.path.contains(k))
        .map(|&k| files[k].name.as_str())
        .collect();
    if others.is_empty() {
        parts.join(" -> ")
    } else {
        format!(
            "{} (knotted with: {})",
            parts.join(" -> "),
            others.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> (Vec<ModuleFile>, Vec<Arrow>) {
        let files: Vec<ModuleFile> = files
            .iter()
            .map(|(module, src)| ModuleFile::new(&format!("{module}.rs"), module, src))
            .collect();
        let arrows = arrows(&files);
        (files, arrows)
    }

    fn found(files: &[(&str, &str)]) -> Vec<String> {
        let (files, arrows) = graph(files);
        circles(files.len(), &arrows)
            .iter()
            .map(|c| describe(&files, &arrows, c))
            .collect()
    }

    #[test]
    fn a_circle_of_three_siblings_is_found_with_its_lines() {
        let found = found(&[
            ("", "mod a;\nmod b;\nmod c;\npub use a::X;\n"),
            ("a", "use crate::b::Y;\n"),
            ("b", "fn f() {\n    crate::c::g();\n}\n"),
            ("c", "use super::{a::X, d};\n"),
        ]);
        assert_eq!(found, vec!["a.rs:1 -> b.rs:2 -> c.rs:1 -> a.rs"]);
    }

    #[test]
    fn a_file_and_its_submodules_make_no_circle() {
        let found = found(&[
            ("", "mod a;\npub use a::X;\npub struct E;\n"),
            ("a", "mod inner;\nuse crate::E;\nuse self::inner::Z;\npub use inner::W;\n"),
            (
                "a::inner",
                "use super::super::E;\nuse crate::a::X;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_circle_through_a_reexport_at_the_root_is_found() {
        // `crate::Y` names the root, which re-exports it from `b`: the arrow is a -> b.
        let found = found(&[
            (
                "",
                "mod a;\nmod b;\npub use b::{Y as Y};\npub(crate) use self::b::Z;\n",
            ),
            ("a", "use crate::Y;\npub struct X;\n"),
            (
                "b",
                "pub struct Y;\npub struct Z;\nfn f() { crate::a::X; }\n",
            ),
            ("c", "use crate::Z;\n"),
        ]);
        assert_eq!(found, ["a.rs:1 -> b.rs:3 -> a.rs"]);
    }

    #[test]
    fn a_reexport_from_another_crate_ends_at_the_reexporting_file() {
        let found = found(&[
            ("", "mod a;\nmod b;\n"),
            ("a", "pub use netbuild_types::Sel;\nuse crate::b::f;\n"),
            ("b", "pub fn f() {}\nfn g() { let _ = crate::a::Sel; }\n"),
        ]);
        assert_eq!(found, ["a.rs:2 -> b.rs:2 -> a.rs"]);
    }

    #[test]
    fn comments_strings_macros_and_visibility_are_not_arrows() {
        let found = found(&[
            ("", "mod a;\nmod b;\n"),
            ("a", "use crate::b::Y;\n"),
            (
                "b",
                "// use crate::a::X;\nconst S: &str = \"crate::a::X\";\nmacro_rules! m { () => { $crate::a::X } }\npub(crate) fn f() {}\n",
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn inline_test_modules_reach_out_with_two_supers() {
        // b's tests use a: b -> a; a -> b closes the circle.
        let found = found(&[
            ("", "mod a;\nmod b;\n"),
            ("a", "use crate::b;\n"),
            (
                "b",
                "fn f() {}\nmod tests {\n    use super::super::a::X;\n}\n",
            ),
        ]);
        assert_eq!(found, vec!["a.rs:1 -> b.rs:3 -> a.rs"]);
    }

    #[test]
    fn test_modules_are_not_arrows() {
        let found = found(&[
            ("", "mod a;\nmod b;\n"),
            ("a", "use crate::b::Y;\n"),
            ("b", "#[cfg(test)]\nmod tests {\n    use crate::a::X;\n}\n#[cfg(test)]\npub(crate) mod more {\n    fn f() { crate::a::g() }\n}\n"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_knot_lists_the_files_off_its_shortest_circle() {
        let found = found(&[
            ("", ""),
            ("a", "use crate::b::X;"),
            ("b", "use crate::{a::Y, c::Z};"),
            ("c", "use crate::a::W;"),
        ]);
        assert_eq!(found, vec!["a.rs:1 -> b.rs:1 -> a.rs (knotted with: c.rs)"]);
    }

    #[test]
    fn two_separate_circles_are_both_found() {
        let found = found(&[
            ("", ""),
            ("a", "use crate::b::X;"),
            ("b", "use crate::a::X;"),
            ("c", "use crate::d::{self, X};"),
            ("d", "use crate::{c::Y, a};"),
        ]);
        assert_eq!(
            found,
            vec!["a.rs:1 -> b.rs:1 -> a.rs", "c.rs:1 -> d.rs:1 -> c.rs"]
        );
    }
}
