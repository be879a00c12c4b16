"""Does netbuild's circuit of benches/bio450_bmtk.py agree with BMTK's? Per edge type (its
population and ``dynamics_params``): rows and synapses within 5 sd of BMTK's (the Python
functions draw from np.random in another order under netbuild, so the edges differ but follow
the same law), the same per-edge columns with BMTK's dtypes (the location columns among them).

    python bio450_compare.py BMTK_DIR NETBUILD_DIR     # exit 1 on a disagreement
"""
import glob
import os
import sys

import h5py
import numpy as np
import pandas as pd


def edge_types(folder):
    """{(population, dynamics_params): {rows, synapses, var, columns}}."""
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "*_edges.h5"))):
        types = pd.read_csv(f.replace("_edges.h5", "_edge_types.csv"), sep=" ")
        params = dict(zip(types["edge_type_id"], types["dynamics_params"]))
        with h5py.File(f, "r") as h:
            for name, pop in h["edges"].items():
                g = pop["0"]
                tids = pop["edge_type_id"][()]
                src, trg = pop["source_node_id"][()], pop["target_node_id"][()]
                nsyns = g["nsyns"][()] if "nsyns" in g else np.ones(len(tids), dtype=np.int64)
                columns = {k: v.dtype.str for k, v in g.items() if isinstance(v, h5py.Dataset)}
                for t in np.unique(tids):
                    m = tids == t
                    # Synapses per connected pair (rows of one pair add up when each is a synapse).
                    pairs = pd.Series(nsyns[m]).groupby([src[m], trg[m]]).sum().to_numpy()
                    out[(name, params[t])] = {"rows": int(m.sum()), "synapses": int(nsyns[m].sum()),
                                              "pairs": len(pairs), "var": float((pairs ** 2).sum()),
                                              "columns": columns}
    return out


def main(bmtk_dir, netbuild_dir):
    a, b = edge_types(bmtk_dir), edge_types(netbuild_dir)
    failures = []
    if set(a) != set(b):
        failures.append(f"edge types differ: BMTK {sorted(a)}, netbuild {sorted(b)}")
    print("| edge population | dynamics_params | BMTK pairs / synapses | netbuild pairs / synapses | within 5 sd |")
    print("|---|---|---|---|---|")
    for key in sorted(set(a) & set(b)):
        x, y = a[key], b[key]
        # Synapse counts are sums over pairs: their variance is about the sum of squares.
        sd = np.sqrt(x["var"] + y["var"])
        sd_pairs = np.sqrt(x["pairs"] + y["pairs"])
        ok = abs(x["synapses"] - y["synapses"]) <= 5 * sd and abs(x["pairs"] - y["pairs"]) <= 5 * sd_pairs
        print(f"| {key[0]} | {key[1]} | {x['pairs']} / {x['synapses']} | {y['pairs']} / {y['synapses']} | "
              f"{'yes' if ok else 'NO'} |")
        if not ok:
            failures.append(f"{key}: BMTK {x['pairs']} pairs / {x['synapses']} synapses, netbuild "
                            f"{y['pairs']} / {y['synapses']} (5 sd: {5 * sd_pairs:.0f} / {5 * sd:.0f})")
        for col, dt in x["columns"].items():
            if y["columns"].get(col) != dt:
                failures.append(f"{key}: column {col}: BMTK {dt}, netbuild {y['columns'].get(col)}")
        extra = set(y["columns"]) - set(x["columns"])
        if extra:
            failures.append(f"{key}: netbuild has columns BMTK has not: {sorted(extra)}")
    loc = ["afferent_section_id", "afferent_section_pos", "afferent_swc_id", "afferent_swc_pos"]
    located = [k for k in a if all(c in a[k]["columns"] for c in loc)]
    pops = sorted({k[0] for k in located})
    if not located:
        failures.append("BMTK's files hold no location columns")
    print(f"\nlocation columns ({', '.join(loc)}) in BMTK's {', '.join(pops)} (one group per population), dtypes "
          f"{[a[located[0]]['columns'][c] for c in loc] if located else '-'}; netbuild: the same"
          f"{'' if not failures else ' (see failures)'}")
    for f in failures:
        print(f"bio450_compare: FAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
