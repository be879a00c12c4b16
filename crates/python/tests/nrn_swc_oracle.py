"""BMTK's own ``SWCReader`` and ``get_swc`` on NEURON, the oracle ``test_swc_reader.py``
compares netbuild's native stand-in (``netbuild.swc_reader``) with.

Run in a fresh interpreter without netbuild (NEURON keeps every cell it made):
``python nrn_swc_oracle.py REQUEST.json OUT.pickle``. REQUEST: a list of cases, each
``{"swc": path, "fix_axon": bool, "dl": float|null, "queries": [[names, [lo, hi]], ...],
"seed": int, "draws": int}`` (a reader made as ``get_swc`` makes one) or ``{"cell": node,
"morphology_dir": dir, "seed": int, "draws": int, "query": [names, [lo, hi]]}`` (``get_swc``
of a node dict, then a seeded reader of the same file moved and rotated alike). OUT: per case
a dict of numpy arrays: ``seg_props``, per query ``find_sections``' answer, ``choose_sections``
draws of a reader seeded with ``seed``, ``get_swc_id`` of every segment, ``seg_coords`` and
``soma_position`` after moving.
"""

import json
import pickle
import sys

import numpy as np


def reader_case(req, SWCReader):
    def make(seed=None):
        swc = SWCReader(req["swc"], rng_seed=seed)
        if req.get("dl"):
            swc.set_segment_dl(req["dl"])
        if req.get("fix_axon"):
            swc.fix_axon()
        return swc

    swc = make()
    props = swc.seg_props
    out = {"props": {k: getattr(props, k) for k in ("type", "x", "dist", "length", "sec_id")}}
    out["find"] = [swc.find_sections(n, r) for n, r in req["queries"]]
    seeded = make(req["seed"])
    out["draws"] = [seeded.choose_sections(n, r, n_sections=req["draws"])
                    for n, r in req["queries"]]
    ids = []
    for s, x in zip(props.sec_id, props.x):
        try:
            ids.append(tuple(float(v) for v in swc.get_swc_id(s, x)))
        except IndexError:
            ids.append(None)
    out["swc_ids"] = ids
    out["more_swc_ids"] = [tuple(float(v) for v in swc.get_swc_id(s, x))
                           for s, x in req.get("points", [])]
    return out


def cell_case(req, SWCReader, get_swc):
    cell = req["cell"]
    swc = get_swc(cell, morphology_dir=req["morphology_dir"], use_cache=True)
    again = get_swc(cell, morphology_dir=req["morphology_dir"], use_cache=True)
    out = {"cached": again is swc, "p05": swc.seg_coords.p05, "p0": swc.seg_coords.p0,
           "p1": swc.seg_coords.p1, "soma": swc.soma_position, "nseg": swc.nseg,
           "coords": [swc.get_coords(s, x) for s, x in req["points"]]}
    seeded = SWCReader(req["path"], rng_seed=req["seed"])
    seeded.fix_axon()
    moved = seeded.move_and_rotate(soma_coords=[cell["x"], cell["y"], cell["z"]],
                                   rotation_angles=[0.0, cell["rotation_angle_yaxis"], 0.3])
    n, r = req["query"]
    out["first"] = seeded.choose_sections(n, r, n_sections=req["draws"])
    out["copy"] = moved.choose_sections(n, r, n_sections=req["draws"])
    out["moved_p05"] = moved.seg_coords.p05
    return out


if __name__ == "__main__":
    from bmtk.builder.bionet.swc_reader import SWCReader, get_swc

    with open(sys.argv[1]) as f:
        requests = json.load(f)
    answers = [cell_case(r, SWCReader, get_swc) if "cell" in r else reader_case(r, SWCReader)
               for r in requests]
    with open(sys.argv[2], "wb") as f:
        pickle.dump(answers, f)
