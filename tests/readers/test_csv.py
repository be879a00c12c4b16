"""The type tables: space-separated (BMTK style), type id first, every id used in the h5 files listed."""

import csv

import numpy as np

from circuit import read_types_csv, unique


def test_types_csv_parses(types_file):
    circuit, path = types_file
    kind = "node_type_id" if path.name.endswith("_node_types.csv") else "edge_type_id"
    df = read_types_csv(path)
    assert list(df.columns)[0] == kind, f"first column is {list(df.columns)[0]!r}, expected {kind}"
    ids = df[kind]
    assert ids.notna().all() and np.issubdtype(ids.dtype, np.integer), f"{kind} not all integers"
    assert ids.is_unique, f"duplicate {kind}"
    # Every line has as many fields as the header (pandas would pad short lines with NaN).
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=" ", quotechar='"'))
    assert rows, "empty file"
    width = len(rows[0])
    bad = [i + 1 for i, r in enumerate(rows) if len(r) != width]
    assert not bad, f"lines {bad[:5]} have a field count other than the header's {width}"
    assert len(rows) - 1 == len(df)


def test_node_type_ids_listed(node_pop):
    used = set(unique(node_pop.node_type_id).tolist())
    listed = set(node_pop.types["node_type_id"].astype(np.int64).tolist())
    assert used <= listed, f"node_type_id {sorted(used - listed)} used in h5 but not in the csv"


def test_edge_type_ids_listed(edge_pop):
    used = set(unique(edge_pop.type_id).tolist())
    listed = set(edge_pop.types["edge_type_id"].astype(np.int64).tolist())
    assert used <= listed, f"edge_type_id {sorted(used - listed)} used in h5 but not in the csv"


def test_node_csv_has_model_columns(node_pop):
    """What a simulator needs per node type (NEST reads model_type and model_template)."""
    assert "model_type" in node_pop.types.columns
