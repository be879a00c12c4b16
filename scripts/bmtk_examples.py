"""BMTK's own network-building scripts, run under BMTK and under netbuild, their circuits compared.

Usage (through scripts/bmtk-examples, which runs this with the project's .venv):
    bmtk_examples.py CHECKOUT [--only NAME,...] [--skip NAME,...] [--timeout S] [--work DIR]
                     [--reuse-bmtk] [--reuse] [--no-write] [--doc PATH]
    bmtk_examples.py --extract GIT_DIR DEST     (a BMTK checkout from a bare mirror, see below)

In: CHECKOUT, a tree of BMTK's repository (AllenInstitute/bmtk; only examples/ and docs/tutorial
are read). The scripts: every `examples/*/build_network.py`, `examples/*/*/build_network.py`,
`docs/tutorial/sources/chapter0*/build_*.py` and `docs/tutorial/modeling_tut_2021/build_network.py`
that imports BMTK's NetworkBuilder (35 at BMTK 7e040d0).

For each script: two fresh copies of its folder (siblings and parents linked, so `../` paths
resolve as in the checkout); the script runs in one as it is (BMTK 1.2) and in the other with its
`from bmtk.builder[.networks] import NetworkBuilder` line, and nothing else, changed to
`from netbuild import NetworkBuilder`, each with a timeout (a script the tutorial runs after
another, chapter03/build_thalamus.py after build_cortex.py, gets that one run first, by the same
tool, in the same copy). Both runs start from the same numpy
and `random` seeds (a sitecustomize on PYTHONPATH; PYTHONHASHSEED=0), so node values drawn before
any build agree. The circuits are compared per edge type by scripts/bmtk_compare.py (edge types
matched by declaration order, synapse counts within 5 sd, type CSV rows equal by value, constant
nsyns equal, libsonata opens netbuild's file wherever it opens BMTK's). Node values that differ
are reported as notes, not failures: a script that draws node values from numpy after a build
gets other values once the builder has drawn differently.

Out: a table (script, BMTK ok?, netbuild ok?, agree?, times, cause) on stdout, written into
docs/BMTK_EXAMPLES.md between its markers unless --no-write, with each failure's details; the
runs' folders and logs under --work (default: a temp folder, kept). --reuse-bmtk: a BMTK run of
the same script (same text) already in --work is not run again; --reuse: nor is a netbuild run
of the same script by the same netbuild (the installed package's files hash the same). Exit status 0 when every script
BMTK runs also runs under netbuild and agrees, else 1.

--extract GIT_DIR DEST writes HEAD's examples/ and docs/tutorial/ of a bare BMTK repository
(e.g. the one `fetch github:AllenInstitute/bmtk` brings) into DEST, skipping blobs the mirror
lacks (large data files), and records the commit in DEST/.bmtk-commit.
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bmtk_compare  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PATTERNS = ("examples/*/build_network.py", "examples/*/*/build_network.py",
            "docs/tutorial/sources/chapter0*/build_*.py",
            "docs/tutorial/modeling_tut_2021/build_network.py")
IMPORT = re.compile(r"^(\s*)from\s+bmtk\.builder(\.networks)?\s+import\s+NetworkBuilder\s*$", re.M)
BEGIN, END = "<!-- bmtk-examples:begin -->", "<!-- bmtk-examples:end -->"
# Scripts the tutorial runs after another one of the same folder, whose files they read: that one
# runs first in the same copy, under the same tool, and its files are not the script's.
BEFORE = {"docs/tutorial/sources/chapter03/build_thalamus.py": ["build_cortex.py"]}
SEED = 0
TOOLS = ("bmtk", "netbuild")


def find_scripts(checkout):
    """The checkout's network-building scripts (relative paths, sorted) that import
    BMTK's NetworkBuilder."""
    found = set()
    for pattern in PATTERNS:
        for p in glob.glob(str(checkout / pattern)):
            if IMPORT.search(Path(p).read_text(errors="replace")):
                found.add(str(Path(p).relative_to(checkout)))
    return sorted(found)


def netbuild_text(text, rel):
    """The script with its NetworkBuilder import, and nothing else, changed to netbuild's."""
    new, n = IMPORT.subn(r"\1from netbuild import NetworkBuilder", text)
    if n != 1:
        raise SystemExit(f"{rel}: expected one NetworkBuilder import line, found {n}")
    return new


def replica(checkout, rel_dir, dest):
    """A fresh copy of the checkout folder `rel_dir` at `dest/rel_dir`, with every other entry
    of its parent folders (up to the checkout's root) linked: `../x` reads the checkout's."""
    parts = Path(rel_dir).parts
    for depth in range(len(parts)):
        here = checkout.joinpath(*parts[:depth])
        there = dest.joinpath(*parts[:depth])
        there.mkdir(parents=True, exist_ok=True)
        for entry in here.iterdir():
            if entry.name == parts[depth] or entry.name.startswith(".bmtk-"):
                continue
            link = there / entry.name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(entry)
    copy = dest.joinpath(*parts)
    shutil.copytree(checkout / rel_dir, copy, symlinks=True)
    return copy


def seed_dir(work):
    """A folder with a sitecustomize that seeds numpy's and Python's global generators."""
    d = work / "seed"
    d.mkdir(parents=True, exist_ok=True)
    (d / "sitecustomize.py").write_text(
        "# Written by scripts/bmtk_examples.py: both tools' runs start from the same draws.\n"
        "import random\n"
        f"random.seed({SEED})\n"
        "try:\n"
        "    import numpy\n"
        f"    numpy.random.seed({SEED})\n"
        "except ImportError:\n"
        "    pass\n")
    return d


def run_one(script, cwd, timeout, seed, log):
    """Runs `python script` in `cwd`; (exit code or "timeout", seconds)."""
    env = dict(os.environ)
    env.update(PYTHONPATH=str(seed), PYTHONHASHSEED="0", MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    t0 = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.Popen([sys.executable, script.name], cwd=cwd, stdout=out,
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = "timeout"
    return rc, time.monotonic() - t0


def last_error(log):
    """The last line of a failed run's log that names an exception (else its last line)."""
    lines = [ln.rstrip() for ln in Path(log).read_text(errors="replace").splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.match(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b", ln) or "Error:" in ln:
            return ln.strip()
    return lines[-1].strip() if lines else "(no output)"


def netbuild_build_id():
    """A hash of the installed netbuild package's files (its Python and its extension)."""
    import netbuild

    h = hashlib.sha256()
    for f in sorted(Path(netbuild.__file__).parent.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def run_tool(tool, checkout, rel, text, work, timeout, seed, reuse):
    """Runs script `rel` under one tool in a fresh replica; returns its record (saved as JSON)."""
    slug = rel.replace("/", "__").removesuffix(".py")
    base = work / slug / tool
    record_path = work / slug / f"{tool}.json"
    firsts = "".join((checkout / Path(rel).parent / f).read_text() for f in BEFORE.get(rel, []))
    digest = hashlib.sha256((text + firsts).encode()).hexdigest()
    if tool == "netbuild":
        digest = hashlib.sha256((digest + netbuild_build_id()).encode()).hexdigest()
    if reuse and record_path.exists():
        rec = json.loads(record_path.read_text())
        if rec.get("sha256") == digest and base.exists():
            rec["reused"] = True
            return rec
    if base.exists():
        shutil.rmtree(base)
    copy = replica(checkout, str(Path(rel).parent), base)
    log = work / slug / f"{tool}.log"
    original = bmtk_compare.snapshot(copy)
    failed_first = None
    for first in BEFORE.get(rel, []):
        pre = copy / first
        pre_text = pre.read_text()
        pre.write_text(pre_text if tool == "bmtk" else netbuild_text(pre_text, first))
        pre_log = log.with_suffix(f".{Path(first).stem}.log")
        rc, _ = run_one(pre, copy, timeout, seed, pre_log)
        if rc != 0:
            failed_first = f"{first}, run first, failed: {last_error(pre_log)}"
            break
    script = copy / Path(rel).name
    script.write_text(text)
    before = bmtk_compare.snapshot(copy)
    if failed_first is None:
        rc, secs = run_one(script, copy, timeout, seed, log)
    else:
        rc, secs = 1, 0.0
        log.write_text(failed_first + "\n")
    rec = {"script": rel, "tool": tool, "rc": rc, "seconds": round(secs, 2), "sha256": digest,
           "folder": str(copy), "log": str(log),
           "changes": bmtk_compare.changes(before, copy, original),
           "error": None if rc == 0 else ("timed out after %d s" % timeout if rc == "timeout"
                                          else last_error(log))}
    record_path.write_text(json.dumps(rec, indent=1))
    return rec


def extract(git_dir, dest):
    """HEAD's examples/ and docs/tutorial/ of a bare repository into `dest` (absent blobs
    skipped and listed)."""
    git = ["git", "--git-dir", str(git_dir)]
    commit = subprocess.check_output(git + ["rev-parse", "HEAD"], text=True).strip()
    listing = subprocess.check_output(git + ["ls-tree", "-r", "-z", "HEAD", "examples", "docs/tutorial"])
    missing = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind != b"blob":
            continue
        target = dest / path.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(git + ["cat-file", "blob", sha.decode()], capture_output=True)
        if p.returncode != 0:
            missing.append(path.decode())
            continue
        if mode == b"120000":
            target.symlink_to(p.stdout.decode())
        else:
            target.write_bytes(p.stdout)
            if mode == b"100755":
                target.chmod(0o755)
    (dest / ".bmtk-commit").write_text(commit + "\n")
    print(f"extracted {commit} into {dest}; {len(missing)} blob(s) absent from the mirror:")
    for m in missing:
        print(f"  {m}")


def checkout_commit(checkout):
    f = checkout / ".bmtk-commit"
    if f.exists():
        return f.read_text().strip()
    p = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else "unknown"


def fmt_rc(rec):
    return "yes" if rec["rc"] == 0 else ("timeout" if rec["rc"] == "timeout" else "no")


def error_of(rec):
    """A failed run's error, its copy's folder left out of paths (they name a temp folder)."""
    return (rec["error"] or "").replace(rec["folder"] + "/", "")


def table(results):
    lines = ["| script | BMTK ok? | netbuild ok? | agree? | BMTK s | netbuild s | node values | cause |",
             "|---|---|---|---|---:|---:|---|---|"]
    for r in results:
        if r.get("skipped"):
            lines.append(f"| `{r['script']}` | not run |  |  |  |  |  | skipped (--skip) |")
            continue
        b, n = r["bmtk"], r.get("netbuild")
        if b["rc"] != 0:
            cause = f"BMTK: {error_of(b)}"
        elif n is None:
            cause = ""
        elif n["rc"] != 0:
            cause = f"netbuild: {error_of(n)}"
        elif r["problems"]:
            cause = r["problems"][0] + (f" (+{len(r['problems']) - 1} more)" if len(r["problems"]) > 1 else "")
        else:
            cause = ""
        agree = "" if r["agree"] is None else ("yes" if r["agree"] else "**no**")
        nv = "" if r["agree"] is None else ("differ" if any("node values" in x for x in r["notes"]) else "same")
        cells = [f"`{r['script']}`", fmt_rc(b), "" if n is None else fmt_rc(n), agree,
                 f"{b['seconds']:.1f}", "" if n is None else f"{n['seconds']:.1f}", nv,
                 cause.replace("|", "\\|")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(results):
    done = [r for r in results if not r.get("skipped")]
    ran = [r for r in done if r["bmtk"]["rc"] == 0]
    ok = [r for r in ran if r["agree"]]
    skipped = len(results) - len(done)
    return (f"{len(results)} scripts{f' ({skipped} skipped)' if skipped else ''}; BMTK runs "
            f"{len(ran)} of {len(done)}; of those, netbuild runs and agrees on {len(ok)}, fails or "
            f"disagrees on {len(ran) - len(ok)}.")


def details(results):
    out = []
    for r in results:
        n = r.get("netbuild")
        if r.get("skipped") or r["bmtk"]["rc"] != 0 or (r["agree"] and not r["notes"]):
            continue
        out.append(f"- `{r['script']}`:")
        if n is not None and n["rc"] != 0:
            out.append(f"  - netbuild exits {n['rc']}: {error_of(n)}")
        out.extend(f"  - {p}" for p in r["problems"])
        out.extend(f"  - (note) {x}" for x in r["notes"])
    return "\n".join(out) if out else "(none)"


def write_doc(doc, command, results, bmtk_commit, started):
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "crates"],
                           capture_output=True, text=True).stdout.strip()
    block = "\n".join([
        BEGIN,
        f"Generated by `{command}` on {started:%Y-%m-%d %H:%M} UTC: netbuild at {head}"
        f"{' (with uncommitted changes in crates/)' if dirty else ''}, BMTK checkout {bmtk_commit}, "
        f"bmtk {_bmtk_version()} as the reference; {os.cpu_count()} cores, shared with other work "
        "(times are indicative).",
        "",
        summary(results),
        "",
        table(results),
        "",
        "Details (every problem and note of each script that BMTK runs and netbuild fails, "
        "disagrees on, or differs in a note):",
        "",
        details(results),
        END,
    ])
    text = doc.read_text() if doc.exists() else f"# BMTK's examples under netbuild\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    pre, rest = text.split(BEGIN, 1)
    _, post = rest.split(END, 1)
    doc.write_text(pre + block + post)


def _bmtk_version():
    try:
        import bmtk

        return bmtk.__version__
    except ImportError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", type=Path, nargs="?")
    ap.add_argument("--extract", nargs=2, metavar=("GIT_DIR", "DEST"), type=Path)
    ap.add_argument("--only", default="", help="comma-separated substrings of script paths")
    ap.add_argument("--skip", default="", help="scripts not to run (listed as skipped)")
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per run (default 1200)")
    ap.add_argument("--work", type=Path, help="the runs' folder (default: a new temp folder)")
    ap.add_argument("--reuse-bmtk", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="--reuse-bmtk, and netbuild runs too")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "BMTK_EXAMPLES.md")
    args = ap.parse_args()
    if args.extract:
        extract(args.extract[0], args.extract[1].resolve())
        return 0
    if args.checkout is None:
        ap.error("CHECKOUT is required")
    checkout = args.checkout.resolve()
    scripts = find_scripts(checkout)
    if not scripts:
        raise SystemExit(f"no BMTK build scripts under {checkout}")
    only = [s for s in args.only.split(",") if s]
    if only:
        scripts = [s for s in scripts if any(o in s for o in only)]
    skip = [s for s in args.skip.split(",") if s]
    work = (args.work or Path(tempfile.mkdtemp(prefix="bmtk-examples."))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    seed = seed_dir(work)
    started = datetime.datetime.now(datetime.timezone.utc)
    print(f"bmtk-examples: {len(scripts)} scripts, work folder {work}", flush=True)
    results = []
    for rel in scripts:
        if any(k in rel for k in skip):
            results.append({"script": rel, "skipped": True})
            print(f"{rel}: skipped (--skip)", flush=True)
            continue
        text = (checkout / rel).read_text()
        b = run_tool("bmtk", checkout, rel, text, work, args.timeout, seed,
                     args.reuse_bmtk or args.reuse)
        r = {"script": rel, "bmtk": b, "netbuild": None, "agree": None, "problems": [], "notes": []}
        if b["rc"] == 0:
            n = run_tool("netbuild", checkout, rel, netbuild_text(text, rel), work, args.timeout,
                         seed, args.reuse)
            r["netbuild"] = n
            if n["rc"] == 0:
                try:
                    c = bmtk_compare.compare(b["folder"], n["folder"], b["changes"], n["changes"],
                                             node_values=False)
                    r["agree"], r["problems"], r["notes"] = c.agree, c.problems, c.notes
                except Exception as e:  # noqa: BLE001 (a file the comparison cannot read)
                    r["agree"], r["problems"] = False, [f"the comparison failed: {type(e).__name__}: {e}"]
            else:
                r["agree"] = False
        results.append(r)
        n = r["netbuild"]
        print(f"{rel}: BMTK {fmt_rc(b)} ({b['seconds']:.1f} s{', reused' if b.get('reused') else ''})"
              + ("" if n is None else f", netbuild {fmt_rc(n)} ({n['seconds']:.1f} s"
                 f"{', reused' if n.get('reused') else ''})")
              + ("" if r["agree"] is None else f", agree: {'yes' if r['agree'] else 'NO'}"), flush=True)
        for p in r["problems"]:
            print(f"    {p}", flush=True)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print()
    print(summary(results))
    print(table(results))
    if not args.no_write:
        command = "scripts/bmtk-examples " + " ".join(sys.argv[1:])
        write_doc(args.doc, command, results, checkout_commit(checkout), started)
        print(f"\nwrote {args.doc}")
    return 0 if all(r["agree"] for r in results
                    if not r.get("skipped") and r["bmtk"]["rc"] == 0) else 1


if __name__ == "__main__":
    sys.exit(main())
