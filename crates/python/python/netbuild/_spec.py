"""The spec of one builder's build, and the build itself.

In: a ``NetworkBuilder`` (its networks, the networks its edges reach, its edge types), the
session's seed and the ``save`` options. Out: :class:`Spec`: the spec text (the ``spec.toml``
the binary would read for the same circuit; ``NetworkBuilder.spec()`` shows it), the script's
Python functions keyed by the edge type they belong to (``_calls``: evaluated by ``_workers``
before the build), the keys that tell whether an earlier build made the same, and
:meth:`Spec.build`, which runs ``netbuild._netbuild.build`` into a staging folder and points a
spec or model error at the script's call.
"""

import hashlib
import logging
import os
import re

import numpy as np

from . import _netbuild, _session, _toml, _workers
from ._calls import ConnectionCall, PropertyCall, SynapseValuesCall
from ._connections import ValuesList
from ._errors import NetbuildError
from .rules import Rule, SynLocations, Value, syn_locations

logger = logging.getLogger("netbuild")
_WARNED = set()  # the BMTK-only save options already warned about


class Spec:
    """The spec text of one builder's build (its network, the networks its edges reach, its
    edge types), with the Python functions to attach, and the keys that tell whether an earlier
    build made the same."""

    def __init__(self, builder, compression, opts, with_edges):
        self.builder = builder
        self.opts_given = dict(opts)
        self.opts = dict(opts)
        self.with_edges = with_edges
        self.compression_given = compression
        self.compression = _compression(compression)
        self.lines = []  # spec lines
        self.blocks = []  # (first line, callsite, what)
        self.rules, self.props = [], []
        self.edge_callsites = []
        self.functions = []  # the Python objects the build calls: part of what it depends on
        self._write(with_edges)
        self.text = "\n".join(self.lines) + "\n"
        self.digest = hashlib.sha256(self.text.encode()).hexdigest()
        # Settings that change neither the files' content nor the draws are not in the keys.
        settings = ("memory_budget =", "spill_dir =")
        content = "\n".join(line for line in self.lines if not line.startswith(settings))
        ids = ",".join(str(id(f)) for f in self.functions)
        self.key = hashlib.sha256(f"{content}\n{ids}".encode()).hexdigest()
        # The builder's own nodes depend on [build], its blocks and their place among the
        # blocks (the key of netbuild's draws): a build with edges serves save_nodes alike.
        own = self.lines[: self.header_end] + self.lines[self.own[0]: self.own[1]]
        nodes = "\n".join(line for line in own if not line.startswith(settings))
        self.nodes_key = hashlib.sha256(f"{nodes}\n{self.own[2]}".encode()).hexdigest()

    def _block(self, header, callsite, what):
        self.lines.append("")
        self.lines.append(f"# {what} at {callsite}")
        self.blocks.append((len(self.lines) + 1, callsite, what))
        self.lines.append(header)

    def _write(self, with_edges):
        build = [("seed", str(_session.current_seed())),
                 ("compression", _toml.scalar(self.compression))]
        sort_by = self.opts.pop("sort_by", None)
        if sort_by is not None:
            build.append(("sort_edges_by", _toml.scalar(str(sort_by).replace("_node_id", ""))))
        for k in ("memory_budget", "spill_dir"):
            if self.opts.get(k) is not None:
                build.append((k, _toml.scalar(str(self.opts.pop(k)))))
        self.threads = self.opts.pop("threads", None)
        self.workers = self.opts.pop("workers", None)
        for k in ("index_by", "sort_on_disk"):
            # BMTK's ways to write; netbuild indexes by target and source and spills past its
            # memory budget whatever they say.
            if k in self.opts:
                v = self.opts.pop(k)
                if k not in _WARNED:
                    _WARNED.add(k)
                    logger.warning("save: %s=%r is BMTK's; netbuild writes both indices and "
                                   "sorts within its memory_budget", k, v)
        self.lines.append(f"# The spec netbuild made from a BMTK-style script: {self.builder.name!r}.")
        self.lines.append("[build]")
        self.lines.extend(f"{k} = {v}" for k, v in build)
        self.header_end = len(self.lines)
        networks, self.whole_session = _session.networks(self.builder, with_edges)
        blocks_before = 0
        for net, name in networks:
            start = len(self.lines)
            for n, type_props, node_props, positions, callsite in net._blocks:
                self._block("[[nodes]]", callsite, f"add_nodes of {net.name!r}")
                self.lines.append(f"network = {_toml.scalar(name)}")
                self.lines.append(f"N = {n}")
                for k, v in type_props.items():
                    self.lines.append(f"{_toml.key(k)} = {_toml.scalar(v)}")
                for k, v in node_props.items():
                    if isinstance(v, Value):
                        text = v.toml()
                    elif np.ndim(v) == 2:
                        text = _toml.rows(v)
                    else:
                        text = _toml.array(v)
                    self.lines.append(f"{_toml.key(k)} = {text}")
                if positions is not None:
                    self.lines.append(f"positions = {positions.toml()}")
            for nodes_file, types_file, population, callsite in net._imports:
                if name != net.name:
                    continue  # an import draws nothing: needed only where it is reached
                self._block("[[import]]", callsite, f"import_nodes of {net.name!r}")
                self.lines.append(f"nodes = {_toml.scalar(nodes_file)}")
                self.lines.append(f"node_types = {_toml.scalar(types_file)}")
                self.lines.append(f"population = {_toml.scalar(population)}")
                # The build writes into a staging folder; which files may be replaced where
                # the script saves is decided there (save_edges), as BMTK's scripts re-run.
                self.lines.append("replace_edges = true")
            if net is self.builder:
                self.own = (start, len(self.lines), blocks_before)
            blocks_before += len(net._blocks)
        self.nodes_end = len(self.lines)
        if not with_edges:
            return
        # The spec numbers [[edges]] blocks first, then [[gap_junctions]].
        for index, cm in enumerate(self.builder._ordered_maps()):
            self._edge_type(index, cm)

    def _edge_type(self, index, cm):
        table = "[[edges]]" if cm.gap is None else "[[gap_junctions]]"
        what = "add_edges" if cm.gap is None else "add_gap_junctions"
        self._block(table, cm.callsite, what)
        self.edge_callsites.append(cm.callsite)
        self.lines.append(f"source = {cm.source.toml()}")
        self.lines.append(f"target = {cm.target.toml()}")
        rule = cm.rule
        if isinstance(rule, Rule):
            text, nsyns = rule.toml()
            self.lines.append(f"rule = {text}")
            if nsyns is not None:
                self.lines.append(f"nsyns = {nsyns}")
        elif callable(rule):
            self.functions += [rule, cm.params]
            # A placeholder rule, replaced by the function; BMTK calls it for every pair,
            # self-pairs included.
            self.lines.append("rule = { all_to_all = true, autapses = true }")
            self.rules.append((index, ConnectionCall(cm)))
        else:
            # BMTK's connection_rule=<int>: every pair, self-pairs included, that many synapses.
            self.lines.append(f"rule = {{ count = {int(rule)}, autapses = true }}")
        # A gap junction's resistance or conductance is its syn_weight (a type property below),
        # all BMTK keeps of it: the spec's [[gap_junctions]] then writes nothing more.
        for k, v in cm.type_props.items():
            if v is None:
                continue
            text = _toml.scalar(v) if _toml.is_scalar(v) else _toml.scalar(str(v))
            self.lines.append(f"{_toml.key(k)} = {text}")
        locations = [p for p in cm.properties if _syn_locations(p[1], p[2]) is not None]
        properties = [p for p in cm.properties if _syn_locations(p[1], p[2]) is None]
        if properties:
            self.lines.append("[" + table.strip("[]") + ".properties]")
            k = 0
            for names, prop_rule, params, dtypes, callsite in properties:
                # Each synapse's code into the strings of a string property, stored as u32.
                stored = ["u32" if dt == "str" else dt for dt in dtypes]
                for j, (name, dt) in enumerate(zip(names, dtypes)):
                    if dt == "str" and not isinstance(prop_rule, ValuesList) and not (
                            callable(prop_rule) and not isinstance(prop_rule, Value)):
                        raise NetbuildError(
                            f"{callsite}: add_properties({name!r}): a string property takes a "
                            "Python function returning a str per synapse, a list of them "
                            "(values=[...]), or one str for all; "
                            f"found {prop_rule!r}")
                    if isinstance(prop_rule, Value):
                        text = prop_rule.toml(dt)
                    elif isinstance(prop_rule, ValuesList):
                        text = _toml.inline([("expr", '"0"'), ("dtype", _toml.scalar(stored[j]))])
                        self.functions.append(prop_rule)
                        self.props.append((index, k, SynapseValuesCall(
                            cm, prop_rule.call().of_synapses, dt == "str", name)))
                    elif callable(prop_rule):
                        self.functions += [prop_rule, params]
                        text = _toml.inline([("expr", '"0"'), ("dtype", _toml.scalar(stored[j]))])
                        if j == 0:
                            self.props.append((index, k, PropertyCall(
                                cm, prop_rule, params, len(names), dtypes, names)))
                    elif _toml.is_scalar(prop_rule) and not isinstance(prop_rule, str):
                        text = _toml.inline([("expr", _toml.scalar(str(float(prop_rule)))),
                                             ("dtype", _toml.scalar(dt))])
                    elif isinstance(prop_rule, str):
                        text = _toml.inline([("expr", _toml.scalar(prop_rule)),
                                             ("dtype", _toml.scalar(dt))])
                    else:
                        raise NetbuildError(f"add_properties: cannot use {prop_rule!r} as a rule")
                    self.lines.append(f"{_toml.key(name)} = {text}")
                    k += 1
        if len(locations) > 1:
            raise NetbuildError(f"{locations[1][4]}: add_properties: synapse locations are "
                                "given once per edge type")
        for names, prop_rule, params, _dtypes, callsite in locations:
            loc = _syn_locations(prop_rule, params)
            if tuple(names) != loc.names():
                raise NetbuildError(f"{callsite}: add_properties: synapse locations are the "
                                    f"columns {list(loc.names())}, found {names}")
            self.lines.append("[" + table.strip("[]") + ".locations]")
            self.lines.extend(loc.toml())

    def _locate(self, message):
        """Points a spec error (``path:line:col: ...``) or a model error (``edge type i: ...``)
        at the script's call."""
        m = re.match(r"^.*?:(\d+):(\d+): (.*)$", message, re.S)
        if m:
            line = int(m.group(1))
            at = [b for b in self.blocks if b[0] <= line]
            text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
            if at:
                _, callsite, what = at[-1]
                return f"{callsite}: {what}: {m.group(3)}\n  (spec line {line}: {text})"
            return f"{m.group(3)} (spec line {line}: {text})"
        m = re.match(r"^edge type (\d+): (.*)$", message, re.S)
        if m and int(m.group(1)) < len(self.edge_callsites):
            return f"{self.edge_callsites[int(m.group(1))]}: {m.group(2)}"
        return message

    def build(self, output_dir):
        """Builds into ``output_dir`` (the staging folder); returns the build's summary."""
        if self.opts:
            raise NetbuildError(f"save: unknown option(s) {', '.join(sorted(self.opts))}")
        path = os.path.join(os.getcwd(), "netbuild_script.toml")
        digest = self.digest
        threads, progress = self.threads, None
        try:  # As the binary: seconds between progress lines in a log, 0 for none.
            progress = float(os.environ.get("NETBUILD_PROGRESS_SECS", ""))
        except ValueError:
            pass
        # The Python functions run first, in worker processes; the build replays their answers.
        tables = _workers.evaluate(self.rules, self.props, self.workers)
        try:
            # A fresh staging folder of netbuild's own; the files are placed from there.
            return _netbuild.build(self.text, path, tables, output_dir, threads, digest,
                                   progress, overwrite="netbuild", remove_stale=False)
        except _netbuild.SpecError as e:
            raise NetbuildError(self._locate(str(e))) from None
        except _netbuild.OutputError as e:
            raise NetbuildError(str(e)) from None

def _syn_locations(rule, params):
    """The native synapse locations an ``add_properties`` rule stands for, or None:
    ``rules.syn_locations(...)``, or ``rules.syn_locations`` / BMTK's ``rand_syn_locations``
    with ``rule_params`` (netbuild runs BMTK's function natively, with its own draws)."""
    if isinstance(rule, SynLocations):
        return rule
    bmtk = (getattr(rule, "__name__", "") == "rand_syn_locations"
            and getattr(rule, "__module__", "").startswith("bmtk.builder.bionet"))
    if rule is syn_locations or bmtk:
        return syn_locations(**(params or {}))
    return None


def _compression(c):
    if c is None or c is False or c == "none":
        return "none"
    if c == "gzip" or c is True:
        return "gzip"
    if isinstance(c, (int, np.integer)) and 1 <= int(c) <= 9:
        return f"gzip:{int(c)}"
    raise NetbuildError(f"compression: expected None, 'none', 'gzip' or a level 1..9, found {c!r}")
