//! An existing output folder: what netbuild did not write survives every build, netbuild's own
//! files are replaced, an earlier build's files that the new circuit no longer has go, and a
//! file netbuild would replace but did not write stops the build before any work. The binary,
//! on one process and under `mpirun -n 2`.

mod common;

use common::{assert_same_tree, listing, netbuild_on, partial_dirs, run, Run};
use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// A small circuit: network `a`, and with `with_b` a network `b` and the edges it takes part in.
fn spec(dir: &Path, name: &str, seed: u64, with_b: bool) -> PathBuf {
    let mut text = format!(
        "[build]\nseed = {seed}\n\n\
         [[nodes]]\nnetwork = \"a\"\nN = 60\npop_name = \"exc\"\nmodel_type = \"point_neuron\"\n\
         x = {{ uniform = [0.0, 100.0] }}\n\n\
         [[edges]]\nsource = {{ network = \"a\" }}\ntarget = {{ network = \"a\" }}\n\
         rule = {{ probability = 0.2 }}\nsyn_weight = 0.5\n"
    );
    if with_b {
        text.push_str(
            "\n[[nodes]]\nnetwork = \"b\"\nN = 20\npop_name = \"inh\"\nmodel_type = \"virtual\"\n\n\
             [[edges]]\nsource = { network = \"b\" }\ntarget = { network = \"a\" }\n\
             rule = { probability = 0.3 }\nsyn_weight = 1.0\n",
        );
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn build(ranks: usize, spec: &Path, out: &Path) -> Run {
    run(
        netbuild_on(ranks, [spec.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        TIMEOUT,
    )
}

/// A user's files in a folder: a file, and one in a sub-folder.
fn put_foreign_files(out: &Path) {
    std::fs::create_dir_all(out.join("sub")).unwrap();
    std::fs::write(out.join("mine.txt"), "mine").unwrap();
    std::fs::write(out.join("sub/precious.txt"), "precious").unwrap();
}

fn assert_foreign_files_intact(out: &Path, ctx: &str) {
    let read = |p: &str| std::fs::read_to_string(out.join(p)).ok();
    assert_eq!(read("mine.txt").as_deref(), Some("mine"), "{ctx}");
    assert_eq!(
        read("sub/precious.txt").as_deref(),
        Some("precious"),
        "{ctx}"
    );
}

#[test]
fn foreign_files_survive_and_own_files_are_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    put_foreign_files(&out);
    let first = spec(tmp.path(), "first.toml", 1, true);
    let second = spec(tmp.path(), "second.toml", 2, true);
    for (ranks, spec) in [(1, &first), (2, &second), (1, &first)] {
        let r = build(ranks, spec, &out);
        let ctx = format!("{} on {ranks} ranks: {}", spec.display(), r.describe());
        r.assert_success();
        assert_foreign_files_intact(&out, &ctx);
        assert!(partial_dirs(&out).is_empty(), "{ctx}");
        // netbuild's files are this build's: the same as a build into a fresh folder.
        let fresh = tmp.path().join(format!("fresh{ranks}"));
        build(ranks, spec, &fresh).assert_success();
        for f in listing(&fresh) {
            let same = std::fs::read(fresh.join(&f)).ok() == std::fs::read(out.join(&f)).ok();
            // (The manifest records the files' times.)
            let skip = f == "components" || f == ".netbuild.json";
            assert!(skip || same, "{f} is not this build's: {ctx}");
        }
        std::fs::remove_dir_all(&fresh).unwrap();
    }
}

#[test]
fn a_build_with_one_population_fewer_leaves_no_stale_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let both = spec(tmp.path(), "both.toml", 1, true);
    let fewer = spec(tmp.path(), "fewer.toml", 1, false);
    build(1, &both, &out).assert_success();
    assert!(out.join("b_nodes.h5").is_file() && out.join("b_a_edges.h5").is_file());
    let r = build(1, &fewer, &out);
    r.assert_success();
    let fresh = tmp.path().join("fresh");
    build(1, &fewer, &fresh).assert_success();
    // Everything, the manifest too, as a build of the smaller circuit into an empty folder.
    assert_same_tree(&fresh, &out, "after a build with one network fewer");
    // The same with a user's files in the folder: they stay, the stale files go.
    put_foreign_files(&out);
    build(2, &both, &out).assert_success();
    build(2, &fewer, &out).assert_success();
    assert_foreign_files_intact(&out, "two ranks");
    assert!(!out.join("b_nodes.h5").exists() && !out.join("b_a_edges.h5").exists());
}

#[test]
fn a_foreign_file_with_a_netbuild_name_stops_the_build_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), "s.toml", 1, true);
    for ranks in [1, 2] {
        let out = tmp.path().join(format!("out{ranks}"));
        std::fs::create_dir(&out).unwrap();
        // A file some other tool wrote, under a name the build would write.
        std::fs::write(out.join("b_a_edges.h5"), "not netbuild's").unwrap();
        let r = build(ranks, &spec, &out);
        let ctx = format!("{ranks} ranks: {}", r.describe());
        assert_eq!(r.code(), Some(1), "{ctx}");
        assert!(
            r.stderr
                .contains(&out.join("b_a_edges.h5").display().to_string())
                && r.stderr.contains("netbuild did not write it"),
            "the message must name the file: {ctx}"
        );
        assert_eq!(r.stderr.matches("netbuild: error:").count(), 1, "{ctx}");
        // Before any work: no progress, nothing written.
        assert!(!r.stderr.contains("edges generated"), "{ctx}");
        assert_eq!(listing(&out), ["b_a_edges.h5"], "{ctx}");
        assert_eq!(
            std::fs::read_to_string(out.join("b_a_edges.h5")).unwrap(),
            "not netbuild's"
        );
    }
}

/// A file netbuild wrote, then a user edited (or replaced): no longer netbuild's, never
/// replaced; the build stops before any work, naming it.
#[test]
fn a_file_edited_since_netbuild_wrote_it_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = spec(tmp.path(), "s.toml", 1, true);
    build(1, &spec, &out).assert_success();
    let config = out.join("simulation_config.json");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push('\n');
    std::fs::write(&config, &text).unwrap();
    let r = build(1, &spec, &out);
    assert_eq!(r.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains(&config.display().to_string())
            && r.stderr.contains("changed since netbuild wrote it"),
        "{}",
        r.describe()
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
}

/// A folder written before manifests existed (an earlier netbuild replaced the whole folder):
/// its HDF5 files say `netbuild_version`, so the build replaces them and their tables and
/// configs; a file without that attribute is refused.
#[test]
fn a_folder_of_a_netbuild_without_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = spec(tmp.path(), "s.toml", 1, true);
    build(1, &spec, &out).assert_success();
    std::fs::remove_file(out.join(".netbuild.json")).unwrap();
    put_foreign_files(&out);
    let r = build(1, &spec, &out);
    r.assert_success();
    assert_foreign_files_intact(&out, &r.describe());
    assert!(out.join(".netbuild.json").is_file());

    std::fs::remove_file(out.join(".netbuild.json")).unwrap();
    // An edges file from another tool: no netbuild_version attribute.
    std::fs::remove_file(out.join("b_a_edges.h5")).unwrap();
    foreign_h5(&out.join("b_a_edges.h5"));
    let r = build(1, &spec, &out);
    assert_eq!(r.code(), Some(1), "{}", r.describe());
    assert!(r.stderr.contains("b_a_edges.h5"), "{}", r.describe());
}

/// Makes an HDF5 file without netbuild's attributes, as another tool would (`h5mkgrp`, of the
/// HDF5 tools the tests need already).
fn foreign_h5(file: &Path) {
    let r = run(
        {
            let mut c = std::process::Command::new("h5mkgrp");
            c.arg(file).arg("/edges");
            c
        },
        Duration::from_secs(30),
    );
    r.assert_success();
}

#[test]
fn a_failed_build_leaves_the_previous_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec1 = spec(tmp.path(), "one.toml", 1, true);
    let spec2 = spec(tmp.path(), "two.toml", 2, true);
    build(1, &spec1, &out).assert_success();
    put_foreign_files(&out);
    let before = tmp.path().join("before");
    copy_tree(&out, &before);
    for ranks in [1, 2] {
        let mut cmd = netbuild_on(ranks, [spec2.as_os_str(), "-o".as_ref(), out.as_os_str()]);
        cmd.env("NETBUILD_INJECT_FAULT", "0");
        let r = run(cmd, TIMEOUT);
        let ctx = format!("{ranks} ranks: {}", r.describe());
        assert!(!r.status.success(), "must fail: {ctx}");
        assert!(r.stderr.contains("NETBUILD_INJECT_FAULT"), "{ctx}");
        assert!(common::poll(Duration::from_secs(5), || partial_dirs(&out).is_empty()));
        assert_same_tree(&before, &out, &format!("after a failed build: {ctx}"));
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
