"""NEURON's answer for synapse placement: BMTK's own ``SWCReader`` (``bmtk.builder.bionet``)
on NEURON, the oracle ``test_syn_locations.py`` compares netbuild with.

Run as a script in a fresh interpreter (NEURON keeps every cell it made, and BMTK's
``Biophys1`` template deletes sections as it loads): ``python nrn_syn_oracle.py REQUEST.json``
prints, for each request ``{"swc": path, "fix_axon": bool, "dl": float|null,
"queries": [[sections, [lo, hi]], ...]}``, a JSON list of answers: per query the candidate
segment indices and probabilities of ``find_sections``, with each candidate's section id and x
(``seg_props``) and ``get_swc_id``'s (swc id, position); or the error BMTK raised. A request
``{"cell": node, "morphology_dir": dir, "points": [[sec_id, x], ...]}`` asks instead for
``get_coords`` of those points on the cell ``get_swc(node)`` moves and rotates.
"""

import json
import sys


def answer(request):
    from bmtk.builder.bionet.swc_reader import SWCReader, get_swc

    if "cell" in request:
        swc = get_swc(request["cell"], morphology_dir=request["morphology_dir"])
        return [swc.get_coords(s, x).tolist() for s, x in request["points"]]

    swc = SWCReader(request["swc"])
    if request.get("dl"):
        swc.set_segment_dl(request["dl"])
    if request.get("fix_axon"):
        swc.fix_axon()
    props = swc.seg_props
    out = []
    for sections, distance_range in request["queries"]:
        try:
            ix, p = swc.find_sections(sections, distance_range)
        except Exception as e:  # BMTK's own failure (an unknown section name)
            out.append({"error": repr(e)})
            continue
        rows = []
        for i, q in zip(ix.tolist(), p.tolist()):
            sec_id, x = int(props.sec_id[i]), float(props.x[i])
            try:
                swc_id, pos = swc.get_swc_id(sec_id, x)
                swc_id, pos = int(swc_id), float(pos)
            except IndexError:
                swc_id, pos = None, None
            rows.append([i, sec_id, x, q, swc_id, pos])
        out.append({"rows": rows})
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        requests = json.load(f)
    print(json.dumps([answer(r) for r in requests]))
