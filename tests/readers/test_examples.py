"""What each example spec promises, checked on its built circuit (skipped when that circuit was not built).

Statistical checks allow 5 standard deviations: with the fixed seeds of the examples they are
deterministic, and a correct build fails one by chance with probability ~1e-6 per check.
"""

import numpy as np
import pytest

from circuit import unique

Z = 5.0


def _binomial_ok(count, n, p, what):
    mean, sd = n * p, np.sqrt(n * p * (1 - p))
    z = (count - mean) / sd
    assert abs(z) < Z, f"{what}: {count} edges, expected {mean:.0f} +- {sd:.0f} (z = {z:+.1f})"


def _types_by_source_ei(ep):
    """{edge_type_id: 'e' or 'i'}, from the node types of each type's sources (one kind per type)."""
    ei = ep.source_nodes.prop("ei")
    out = {}
    for t in unique(ep.type_id):
        kinds = unique(ei[unique(ep.source[ep.type_id == t])])
        assert len(kinds) == 1, f"edge type {t} has sources of kinds {kinds}"
        out[int(t)] = str(kinds[0])
    return out


def _nsyns(ep):
    col = ep.column("nsyns")
    assert col is not None, f"{ep}: no nsyns column (edge types without per-edge properties store one)"
    return col


def _type_row(ep, type_id):
    df = ep.types.set_index("edge_type_id")
    return df.loc[type_id]


# ---------------------------------------------------------------- quickstart

@pytest.mark.example("quickstart")
def test_quickstart_counts(example):
    assert set(example.edge_pops) == {"net_to_net"}
    ep = example.edge_pops["net_to_net"]
    nodes = ep.target_nodes
    assert nodes.size == 8000
    ei = nodes.prop("ei")
    assert (ep.source != ep.target).all(), "autapses (default autapses = false)"
    keys = ep.source * nodes.size + ep.target
    assert len(unique(keys)) == ep.size, "a pair appears in two rows (Bernoulli: one row per pair)"
    np.testing.assert_array_equal(_nsyns(ep), 1)
    kinds = _types_by_source_ei(ep)
    assert sorted(kinds.values()) == ["e", "i"], kinds
    for t, kind in kinds.items():
        p, weight = (0.1, 0.5) if kind == "e" else (0.2, -2.0)
        n_src = int((ei == kind).sum())
        rows = ep.type_id == t
        _binomial_ok(int(rows.sum()), n_src * nodes.size - n_src, p, f"edge type {t} ({kind})")
        row = _type_row(ep, t)
        assert float(row["syn_weight"]) == weight and float(row["delay"]) == 1.5
        assert row["model_template"] == "static_synapse"
        # Independence across pairs: the in-degree of each target is Binomial(n_src - [self], p).
        indeg = np.bincount(ep.target[rows], minlength=nodes.size)
        var_expected = n_src * p * (1 - p)
        assert abs(indeg.var() / var_expected - 1) < 0.1, \
            f"in-degree variance {indeg.var():.1f}, binomial {var_expected:.1f}"
        outdeg = np.bincount(ep.source[rows], minlength=nodes.size)[ei == kind]
        var_expected = nodes.size * p * (1 - p)
        assert abs(outdeg.var() / var_expected - 1) < 0.15, \
            f"out-degree variance {outdeg.var():.1f}, binomial {var_expected:.1f}"


# ---------------------------------------------------------------- distance

def _distances(ep):
    pos = ep.source_nodes.positions
    return np.sqrt(((pos[ep.source] - pos[ep.target]) ** 2).sum(axis=1))


@pytest.mark.example("distance")
def test_distance_weights_and_delays(example):
    ep = example.edge_pops["net_to_net"]
    d = _distances(ep)
    assert d.max() <= 750.0, f"a pair {d.max():.1f} um apart (max_distance = 750)"
    assert (ep.source != ep.target).all(), "autapses"
    delay, weight = ep.column("delay"), ep.column("syn_weight")
    assert delay is not None and weight is not None, "per-edge delay/syn_weight missing"
    assert delay.dtype == np.float64 and weight.dtype == np.float64, "default per-edge dtype is f64"
    np.testing.assert_allclose(delay, 0.5 + d / 1000, rtol=1e-9, err_msg="delay != 0.5 + d/1000")
    ei = ep.source_nodes.prop("ei")
    assert set(unique(ei)) == {"e", "i"}
    coef = np.where(ei == "e", 2e-4, -8e-4)[ep.source]
    np.testing.assert_allclose(weight, coef * np.exp(-d / 300), rtol=1e-9, err_msg="syn_weight != coef exp(-d/300)")


@pytest.mark.example("distance")
def test_distance_synapses_per_pair(example):
    """nsyns = uniform_int [1, 3] with per-edge properties: 1 to 3 rows per pair, each count equally likely."""
    ep = example.edge_pops["net_to_net"]
    n = ep.source_nodes.size
    _, per_pair = np.unique(ep.source * n + ep.target, return_counts=True)
    assert per_pair.min() >= 1 and per_pair.max() <= 3, f"rows per pair in {per_pair.min()}..{per_pair.max()}"
    for k in (1, 2, 3):
        _binomial_ok(int((per_pair == k).sum()), len(per_pair), 1 / 3, f"pairs with {k} synapses")


@pytest.mark.example("distance")
def test_distance_connection_probability(example):
    """Connected pairs per distance bin match p(d) = 0.3 exp(-d^2 / (2 150^2)) summed over all ordered
    pairs of the written positions (autapses excluded)."""
    ep = example.edge_pops["net_to_net"]
    nodes = ep.source_nodes
    pos, n = nodes.positions, nodes.size
    width, dmax = 25.0, 750.0
    nbins = int(dmax / width)

    def p_of(d):
        return 0.3 * np.exp(-d * d / (2 * 150.0 * 150.0))

    expected = np.zeros(nbins)
    variance = np.zeros(nbins)
    chunk = 250
    for start in range(0, n, chunk):
        block = pos[start:start + chunk]
        d = np.sqrt(((block[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2))
        d[np.arange(len(block)), np.arange(start, start + len(block))] = np.inf  # no autapses
        d = d[d <= dmax]
        b = np.minimum((d / width).astype(np.int64), nbins - 1)
        p = p_of(d)
        expected += np.bincount(b, weights=p, minlength=nbins)
        variance += np.bincount(b, weights=p * (1 - p), minlength=nbins)

    keys = unique(ep.source * n + ep.target)
    src, trg = keys // n, keys % n
    d = np.sqrt(((pos[src] - pos[trg]) ** 2).sum(axis=1))
    observed = np.bincount(np.minimum((d / width).astype(np.int64), nbins - 1), minlength=nbins)

    z = (observed - expected) / np.sqrt(np.maximum(variance, 1e-12))
    bad = [(f"{i * width:.0f}-{(i + 1) * width:.0f} um", int(observed[i]), round(expected[i], 1), round(z[i], 1))
           for i in range(nbins) if variance[i] > 1 and abs(z[i]) >= Z]
    assert not bad, f"bins off the expected pair counts (bin, observed, expected, z): {bad}"
    total_z = (observed.sum() - expected.sum()) / np.sqrt(variance.sum())
    assert abs(total_z) < Z, f"{observed.sum()} pairs, expected {expected.sum():.0f} (z = {total_z:+.1f})"


# ---------------------------------------------------------------- twopop

@pytest.mark.example("twopop")
def test_twopop_populations(example):
    assert set(example.node_pops) == {"net", "lgn"}
    assert example.node_pops["lgn"].size == 1600 and example.node_pops["net"].size == 8000
    assert set(example.edge_pops) == {"net_to_net", "lgn_to_net"}
    lgn = example.edge_pops["lgn_to_net"]
    assert (lgn.source_population, lgn.target_population) == ("lgn", "net")
    assert lgn.file.name == "lgn_net_edges.h5"
    np.testing.assert_array_equal(_nsyns(lgn), 2)
    assert len(unique(lgn.source * 8000 + lgn.target)) == lgn.size, "one row per pair"
    _binomial_ok(lgn.size, 1600 * 8000, 0.05, "lgn_to_net")
    net = example.edge_pops["net_to_net"]
    np.testing.assert_array_equal(_nsyns(net), 1)
    assert (net.source != net.target).all(), "autapses"
    n_exc = int((net.source_nodes.prop("ei") == "e").sum())
    assert n_exc == 6400
    _binomial_ok(net.size, n_exc * 8000 - n_exc, 0.1, "net_to_net")


# ---------------------------------------------------------------- indegree

@pytest.mark.example("indegree")
def test_indegree_exact(example):
    ep = example.edge_pops["net_to_net"]
    n = ep.target_nodes.size
    assert (ep.source != ep.target).all(), "autapses"
    np.testing.assert_array_equal(_nsyns(ep), 3)
    kinds = _types_by_source_ei(ep)
    assert sorted(kinds.values()) == ["e", "i"], kinds
    for t, kind in kinds.items():
        k = 50 if kind == "e" else 12
        rows = ep.type_id == t
        pairs = unique(ep.source[rows] * n + ep.target[rows])
        assert len(pairs) == int(rows.sum()), f"type {t}: a source repeated for a target (indegree draws distinct sources)"
        per_target = np.bincount(pairs % n, minlength=n)
        bad = np.flatnonzero(per_target != k)
        assert not len(bad), f"type {t} ({kind}): target {bad[0]} has {per_target[bad[0]]} sources, expected {k}"


# ---------------------------------------------------------------- pd14_small

@pytest.mark.example("pd14_small")
def test_pd14_small_totals(example, example_spec):
    assert set(example.edge_pops) == {"cortex_to_cortex"}
    ep = example.edge_pops["cortex_to_cortex"]
    pop_name = ep.source_nodes.prop("pop_name")
    blocks = example_spec["edges"]
    assert ep.size and ep.type_id.min() >= 100, "edge type ids are 100.. in block order"
    counts = np.bincount(ep.type_id - 100, minlength=len(blocks))
    assert len(counts) == len(blocks), f"edge type ids up to {ep.type_id.max()} for {len(blocks)} blocks"
    assert ep.size == sum(b["rule"]["total"] for b in blocks)
    wrong = []
    for k, block in enumerate(blocks):
        total = block["rule"]["total"]
        if counts[k] != total:
            wrong.append((100 + k, int(counts[k]), total))
            continue
        rows = ep.type_id == 100 + k
        src, trg = set(pop_name[ep.source[rows]]), set(pop_name[ep.target[rows]])
        assert src <= {block["source"]["pop_name"]}, f"type {100 + k}: sources from {src}"
        assert trg <= {block["target"]["pop_name"]}, f"type {100 + k}: targets in {trg}"
    assert not wrong, f"(edge type, rows, total) that differ: {wrong}"


@pytest.mark.example("pd14_small")
def test_pd14_small_properties(example, example_spec):
    ep = example.edge_pops["cortex_to_cortex"]
    delay, weight = ep.column("delay"), ep.column("syn_weight")
    assert delay is not None and weight is not None
    assert delay.dtype == np.float32 and weight.dtype == np.float32, "dtype = 'f32' in the spec"
    assert delay.min() >= np.float32(0.05), f"delay {delay.min()} < 0.05 (normal with min = 0.05)"
    for k, block in enumerate(example_spec["edges"]):
        spec = block["properties"]["syn_weight"]
        w = weight[ep.type_id == 100 + k]
        if not len(w):
            continue
        if "min" in spec:
            assert w.min() >= spec["min"], f"type {100 + k}: syn_weight below its min"
        if "max" in spec:
            assert w.max() <= spec["max"], f"type {100 + k}: syn_weight above its max"
        mean, sd = spec["normal"]
        if len(w) >= 1000:  # truncation at 0 is 10 sd away: the sample mean is the normal's
            assert abs(w.mean() - mean) < Z * sd / np.sqrt(len(w)) + 1e-3 * abs(mean), \
                f"type {100 + k}: mean syn_weight {w.mean():.3f}, spec {mean}"
