#!/usr/bin/env python3
"""Python helpers of scripts/bench (run with the project's .venv: bmtk, h5py, numpy).

  bench_bmtk.py build OUT_DIR [--compression default|none|gzip|1..9] [--seed S]
      Builds benches/bernoulli4k.toml's network with bmtk.builder.NetworkBuilder, the way BMTK
      users write a Bernoulli network: a connection_rule function that draws
      np.random.random() < p for each (source, target) pair and returns 1 or 0.
      --compression default calls net.save(output_dir) without the argument (BMTK's default,
      'gzip', which h5py runs at level 4); 'none', 'gzip' or a gzip level 1..9 is passed on.
  bench_bmtk.py count DIR
      Prints "ROWS NSYNS": edge rows and synapses (sum of nsyns, or rows without an nsyns
      column) over every *_edges.h5 in DIR.
  bench_bmtk.py bernoulli-check COUNT_A COUNT_B
      Checks two edge counts of the bernoulli4k network against each other and against the
      expectation (both are sums of independent Bernoulli draws with the same p).
  bench_bmtk.py v1-build SPEC OUT_DIR [--seed S]
      Builds the network of a V1 spec (a copy of examples/v1core.toml made by scripts/v1_copy.py,
      usually at a small radius) with bmtk.builder, the way the Allen Institute's V1 build does it:
      add_nodes per population (positions_columinar for `positions.cylinder`, tuning_angle by
      np.linspace), one add_edges per [[edges]] block with iterator='all_to_one' and a numpy rule
      per target returning nsyns over all sources, add_properties for syn_weight. The spec is read
      with tomllib; every rule and property must match one of the model's expression patterns
      (V1_PATTERNS below) or the build stops with the offending text.
  bench_bmtk.py v1-counts DIR
      Prints "SOURCE_POP TARGET_POP PAIRS ROWS N_TARGETS SUMSQ_IN N_SOURCES SUMSQ_OUT" lines
      (tab-separated; POP = network:pop_name) of a built circuit (netbuild's or BMTK's), per
      population pair: connected pairs, edge rows, the target population's size and the sum of its
      cells' squared in-degrees, the same for the sources' out-degrees (for v1-check's variance).
  bench_bmtk.py v1-check A.tsv B.tsv [--names A B]
      Compares two v1-counts outputs: each population pair's connected pairs within 5 sd of their
      difference. The sd comes from the spread of the cells' in- and out-degrees (read_counts): a
      binomial sd, sqrt(a + b), is far too narrow for cells at random positions (also reported).
  bench_bmtk.py report RESULTS.tsv MD_OUT HEADER.md
      Renders the collected results as a table on stdout and as docs/BENCHMARKS.md.
"""
import argparse
import glob
import math
import os
import re
import sys
import time

# The bernoulli4k network (must match benches/bernoulli4k.toml).
N_EXC, N_INH = 3200, 800
P_EXC, P_INH = 0.1, 0.2


def bernoulli_stats():
    """Mean and variance of the number of edges: every source has N-1 candidate targets."""
    n = N_EXC + N_INH
    pairs_e, pairs_i = N_EXC * (n - 1), N_INH * (n - 1)
    mean = pairs_e * P_EXC + pairs_i * P_INH
    var = pairs_e * P_EXC * (1 - P_EXC) + pairs_i * P_INH * (1 - P_INH)
    return mean, var


def cmd_build(args):
    import numpy as np
    from bmtk.builder import NetworkBuilder

    t0 = time.time()
    np.random.seed(args.seed)

    net = NetworkBuilder('net')
    for n, pop, ei in ((N_EXC, 'exc', 'e'), (N_INH, 'inh', 'i')):
        net.add_nodes(
            N=n, pop_name=pop, ei=ei,
            model_type='point_neuron', model_template='nest:iaf_psc_alpha',
            dynamics_params='{}.json'.format(pop),
            x=np.random.uniform(0.0, 1000.0, n),
            y=np.random.uniform(0.0, 1000.0, n),
            z=np.random.uniform(0.0, 1000.0, n),
        )

    def bernoulli(source, target, p):
        if source.node_id == target.node_id:
            return 0  # no autapses
        return 1 if np.random.random() < p else 0

    net.add_edges(source=net.nodes(ei='e'), target=net.nodes(),
                  connection_rule=bernoulli, connection_params={'p': P_EXC},
                  syn_weight=0.5, delay=1.5, model_template='static_synapse',
                  dynamics_params='ExcToAll.json')
    net.add_edges(source=net.nodes(ei='i'), target=net.nodes(),
                  connection_rule=bernoulli, connection_params={'p': P_INH},
                  syn_weight=-2.0, delay=1.5, model_template='static_synapse',
                  dynamics_params='InhToAll.json')

    net.build()
    t_build = time.time()
    if args.compression == 'default':
        net.save(output_dir=args.out_dir)
    else:
        comp = args.compression
        if comp.isdigit():
            comp = int(comp)  # BMTK/h5py: an integer is a gzip level
        net.save(output_dir=args.out_dir, compression=comp)
    t_save = time.time()
    print('bmtk: nodes {} edges {} build {:.1f} s save {:.1f} s'.format(
        net.nnodes, net.nedges, t_build - t0, t_save - t_build))


def count_edges(d):
    import h5py
    rows = syns = 0
    for path in sorted(glob.glob(os.path.join(d, '*_edges.h5'))):
        with h5py.File(path, 'r') as f:
            for pop in f['edges']:
                g = f['edges'][pop]
                n = g['source_node_id'].shape[0]
                rows += n
                nsyns = 0
                have = False
                for key in g:
                    if isinstance(g[key], h5py.Group) and 'nsyns' in g[key]:
                        have = True
                        nsyns += int(g[key]['nsyns'][()].sum(dtype='uint64'))
                syns += nsyns if have else n
    return rows, syns


def cmd_count(args):
    rows, syns = count_edges(args.dir)
    print(rows, syns)


def cmd_check(args):
    a, b = args.a, args.b
    mean, var = bernoulli_stats()
    sd, sd_diff = math.sqrt(var), math.sqrt(2 * var)
    za, zb, zd = (a - mean) / sd, (b - mean) / sd, (a - b) / sd_diff
    ok = abs(zd) < 5 and abs(za) < 5 and abs(zb) < 5
    print('{}: BMTK {} vs netbuild {} edges: difference {:+d} = {:+.2f} sd of a difference '
          '(sd {:.0f}); expected {:.0f} +- {:.0f}: BMTK {:+.2f} sd, netbuild {:+.2f} sd'.format(
              'OK' if ok else 'FAIL', a, b, a - b, zd, sd_diff, mean, sd, za, zb))
    sys.exit(0 if ok else 1)


# ------------------------------------------------------------------------------------------ V1
# The V1 spec's expression patterns (spaces ignored). {name} is a number (the first {name}
# captures it, a repeat must be the same number); everything else must match literally.
_TH = 'trg.tuning_angle * pi / 180'
_ANISO = ('{p} * exp(-{a} * ((({off} * cos(TH) - dx) * cos(TH) + ({off} * sin(TH) - dz) * sin(TH)) ^ 2 / {s1}'
          ' + (({off} * sin(TH) - dz) * cos(TH) - ({off} * cos(TH) - dx) * sin(TH)) ^ 2 / {s2}))').replace('TH', _TH)
_LIKE = (' * ({c0} - {c1} * min(abs(src.tuning_angle - trg.tuning_angle) % 180,'
         ' 180 - abs(src.tuning_angle - trg.tuning_angle) % 180))')
V1_PATTERNS = {
    # V1 -> V1: a gaussian in the horizontal offset, centred 50 um along the target's orientation.
    'offset_gaussian': '{p} * exp(-((-dx - {off} * cos(TH)) ^ 2 + (-dz - {off} * sin(TH)) ^ 2) / {w})'.replace('TH', _TH),
    # V1 -> V1: the same centre, elongated along the orientation (two widths).
    'anisotropic': _ANISO,
    # E -> E: the anisotropic gaussian times the like-to-like orientation term.
    'anisotropic_like': _ANISO + _LIKE,
    # LGN -> V1: an isotropic gaussian in horizontal distance.
    'gaussian': '{p} * exp(-(dx * dx + dz * dz) / {w})',
}
V1_WEIGHT = '{scale} * lognormal({mu}, {sigma})'
_NUM = r'[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?'
DTYPES = {'f32': 'float32', 'f64': 'float64', 'i32': 'int32', 'i64': 'int64', 'u32': 'uint32', 'u64': 'uint64'}


def pattern_regex(template):
    """A regex for TEMPLATE (spaces removed): {name} -> a named number, repeats -> a backreference."""
    out, seen, pos = [], set(), 0
    for m in re.finditer(r'\{(\w+)\}', template):
        out.append(re.escape(template[pos:m.start()].replace(' ', '')))
        name = m.group(1)
        out.append('(?P={})'.format(name) if name in seen else '(?P<{}>{})'.format(name, _NUM))
        seen.add(name)
        pos = m.end()
    out.append(re.escape(template[pos:].replace(' ', '')))
    return re.compile('^' + ''.join(out) + '$')


_V1_REGEXES = {kind: pattern_regex(t) for kind, t in V1_PATTERNS.items()}
_WEIGHT_REGEX = pattern_regex(V1_WEIGHT)


class SpecError(Exception):
    """A spec the BMTK build cannot reproduce (an unsupported key, generator or expression)."""


def parse_probability(expr, where):
    """(kind, {constant: float}) of a probability expression, or SpecError."""
    text = expr.replace(' ', '')
    for kind, rx in _V1_REGEXES.items():
        m = rx.match(text)
        if m:
            return kind, {k: float(v) for k, v in m.groupdict().items()}
    raise SpecError('{}: probability "{}" matches none of the supported patterns:\n  {}'.format(
        where, expr, '\n  '.join(V1_PATTERNS.values())))


def cross_check(expr, kind, consts, where):
    """Evaluates EXPR itself (Python syntax: ^ -> **) at a few random pairs and compares it with
    probability(kind, consts): a pattern that parsed but means something else stops the build."""
    import numpy as np
    rng = np.random.default_rng(0)
    py = expr.replace('^', '**').replace('trg.tuning_angle', 'ta_t').replace('src.tuning_angle', 'ta_s')
    code = compile(py, where, 'eval')
    for _ in range(20):
        dx, dz = rng.uniform(-300, 300, 2)
        ta_t, ta_s = rng.uniform(0, 360, 2)
        names = dict(dx=dx, dz=dz, ta_t=ta_t, ta_s=ta_s, pi=math.pi, exp=math.exp, cos=math.cos,
                     sin=math.sin, abs=abs, min=min)
        want = eval(code, {'__builtins__': {}}, names)
        got = float(probability(kind, consts, np.array([dx]), np.array([dz]), ta_t, np.array([ta_s]))[0])
        if not math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-300):
            raise SpecError('{}: "{}" read as {} {} gives {} instead of {} at dx={}, dz={}'.format(
                where, expr, kind, consts, got, want, dx, dz))


def probability(kind, c, dx, dz, trg_angle, src_angle):
    """The spec's probability for one target and all sources (numpy arrays dx, dz = target - source)."""
    import numpy as np
    if kind == 'gaussian':
        return c['p'] * np.exp(-(dx * dx + dz * dz) / c['w'])
    th = trg_angle * np.pi / 180
    cos, sin = np.cos(th), np.sin(th)
    if kind == 'offset_gaussian':
        return c['p'] * np.exp(-((-dx - c['off'] * cos) ** 2 + (-dz - c['off'] * sin) ** 2) / c['w'])
    u = (c['off'] * cos - dx) * cos + (c['off'] * sin - dz) * sin
    v = (c['off'] * sin - dz) * cos - (c['off'] * cos - dx) * sin
    p = c['p'] * np.exp(-c['a'] * (u ** 2 / c['s1'] + v ** 2 / c['s2']))
    if kind == 'anisotropic_like':
        delta = np.abs(src_angle - trg_angle) % 180
        p = p * (c['c0'] - c['c1'] * np.minimum(delta, 180 - delta))
    return p


# Per source selector: numpy arrays of the sources' ids and properties, taken once from the first
# list BMTK hands a rule (Allen's build also keeps the sources' positions in arrays).
_SOURCE_CACHE = {}


def source_arrays(key, sources):
    import numpy as np
    arr = _SOURCE_CACHE.get(key)
    if (arr is None or len(arr['node_id']) != len(sources)
            or (len(sources) and (arr['node_id'][0], arr['node_id'][-1]) != (sources[0].node_id, sources[-1].node_id))):
        arr = {'node_id': np.array([s.node_id for s in sources]),
               'x': np.array([s['x'] for s in sources], dtype=float),
               'z': np.array([s['z'] for s in sources], dtype=float),
               'tuning_angle': np.array([s.get('tuning_angle', 0.0) for s in sources], dtype=float)}
        _SOURCE_CACHE[key] = arr
    return arr


def nsyns_draw(nsyns, n):
    """Synapses per connected pair: the spec's `nsyns` (integer or uniform_int, inclusive)."""
    import numpy as np
    if isinstance(nsyns, dict):
        lo, hi = nsyns['uniform_int']
        return np.random.randint(lo, hi + 1, n)
    return np.full(n, nsyns)


def probability_rule(sources, target, src_key, kind, consts, nsyns, same_network):
    """all_to_one rule: one Bernoulli draw per source, as the spec's probability; returns nsyns."""
    import numpy as np
    s = source_arrays(src_key, sources)
    dx, dz = target['x'] - s['x'], target['z'] - s['z']
    p = probability(kind, consts, dx, dz, target.get('tuning_angle', 0.0), s['tuning_angle'])
    hit = np.random.random(len(p)) < p
    if same_network:
        hit &= s['node_id'] != target.node_id  # autapses = false (the spec's default)
    out = np.zeros(len(p), dtype=np.int64)
    out[hit] = nsyns_draw(nsyns, int(hit.sum()))
    return out


def indegree_rule(sources, target, k, nsyns, same_network):
    """all_to_one rule: K distinct sources (never the target itself), chosen uniformly."""
    import numpy as np
    ids = np.array([s.node_id for s in sources])
    pool = np.flatnonzero(ids != target.node_id) if same_network else np.arange(len(ids))
    out = np.zeros(len(ids), dtype=np.int64)
    pick = np.random.choice(pool, size=k, replace=False)
    out[pick] = nsyns_draw(nsyns, k)
    return out


def lognormal_weight(source, target, scale, mu, sigma):
    import numpy as np
    return scale * np.random.lognormal(mu, sigma)


def node_kwargs(block, where):
    """add_nodes(...) arguments of a [[nodes]] block (generators evaluated as the spec says)."""
    import numpy as np
    from bmtk.builder.auxi.node_params import positions_columinar
    n = block['N']
    kw = {'N': n}
    for key, val in block.items():
        if key in ('network', 'N'):
            continue
        if key == 'positions':
            if set(val) != {'cylinder'}:
                raise SpecError('{}: positions {} not supported (only cylinder, no center/min_distance)'.format(where, val))
            r, y_lo, y_hi = val['cylinder']
            pos = positions_columinar(N=n, center=[0.0, (y_lo + y_hi) / 2, 0.0], height=y_hi - y_lo,
                                      min_radius=0.0, max_radius=r)
            kw['positions'] = pos
            kw['x'], kw['y'], kw['z'] = pos[:, 0], pos[:, 1], pos[:, 2]
        elif isinstance(val, dict):
            if set(val) == {'linspace'}:
                kw[key] = np.linspace(val['linspace'][0], val['linspace'][1], n)
            elif set(val) == {'uniform'}:
                kw[key] = np.random.uniform(val['uniform'][0], val['uniform'][1], n)
            else:
                raise SpecError('{}: generator {} = {} not supported'.format(where, key, val))
        elif isinstance(val, list):
            kw[key] = np.array(val)
        else:
            kw[key] = val  # a node-type property
    return kw


def selector(nets, sel, where):
    """(network name, property filters, NodePool) of an [[edges]] source/target table."""
    sel = dict(sel)
    name = sel.pop('network')
    if name not in nets:
        raise SpecError('{}: unknown network {}'.format(where, name))
    if any(isinstance(v, list) for v in sel.values()):
        raise SpecError('{}: list-valued selectors not supported'.format(where))
    return name, sel, nets[name].nodes(**sel)


def add_v1_edges(nets, block, where):
    import numpy as np
    src_net, src_sel, src = selector(nets, block['source'], where + ' source')
    trg_net, _, trg = selector(nets, block['target'], where + ' target')
    same = src_net == trg_net
    rule = block['rule']
    nsyns = block.get('nsyns', 1)
    if isinstance(nsyns, dict) and set(nsyns) != {'uniform_int'}:
        raise SpecError('{}: nsyns {} not supported'.format(where, nsyns))
    if set(rule) == {'probability'}:
        kind, consts = parse_probability(rule['probability'], where)
        cross_check(rule['probability'], kind, consts, where)
        src_key = (src_net,) + tuple(sorted(src_sel.items()))
        fn, params = probability_rule, dict(src_key=src_key, kind=kind, consts=consts, nsyns=nsyns, same_network=same)
    elif set(rule) == {'indegree'}:
        fn, params = indegree_rule, dict(k=rule['indegree'], nsyns=nsyns, same_network=same)
    else:
        raise SpecError('{}: rule {} not supported (probability or indegree, no other keys)'.format(where, rule))
    type_props = {k: v for k, v in block.items() if k not in ('source', 'target', 'rule', 'nsyns', 'properties')}
    for k, v in type_props.items():
        if isinstance(v, (dict, list)):
            raise SpecError('{}: edge-type property {} = {} not supported'.format(where, k, v))
    cm = nets[src_net].add_edges(source=src, target=trg, iterator='all_to_one', connection_rule=fn,
                                 connection_params=params, **type_props)
    for name, val in block.get('properties', {}).items():
        expr = val.get('expr') if isinstance(val, dict) else val
        dtype = val.get('dtype', 'f64') if isinstance(val, dict) else 'f64'
        m = _WEIGHT_REGEX.match(str(expr).replace(' ', ''))
        if not m or dtype not in DTYPES or (isinstance(val, dict) and set(val) - {'expr', 'dtype'}):
            raise SpecError('{}: property {} = {} not supported (expected "{}")'.format(where, name, val, V1_WEIGHT))
        cm.add_properties(name, rule=lognormal_weight,
                          rule_params={k: float(v) for k, v in m.groupdict().items()},
                          dtypes=getattr(np, DTYPES[dtype]))


def cmd_v1_build(args):
    import tomllib
    import numpy as np
    from bmtk.builder import NetworkBuilder

    t0 = time.time()
    with open(args.spec, 'rb') as f:
        spec = tomllib.load(f)
    unknown = set(spec) - {'build', 'nodes', 'edges'}
    if unknown:
        sys.exit('bench_bmtk: {}: sections {} not supported'.format(args.spec, sorted(unknown)))
    seed = args.seed if args.seed is not None else spec.get('build', {}).get('seed', 1)
    np.random.seed(seed)
    nets = {}
    try:
        for i, block in enumerate(spec['nodes']):
            if block['network'] not in nets:
                nets[block['network']] = NetworkBuilder(block['network'])
            nets[block['network']].add_nodes(**node_kwargs(block, '{} [[nodes]] #{}'.format(args.spec, i + 1)))
        for i, block in enumerate(spec.get('edges', [])):
            add_v1_edges(nets, block, '{} [[edges]] #{}'.format(args.spec, i + 1))
    except SpecError as e:
        sys.exit('bench_bmtk: {}'.format(e))
    t_add = time.time()
    # Networks build in spec order (V1 first), so a later network's edges find V1's nodes built.
    for net in nets.values():
        net.build()
    t_build = time.time()
    for net in nets.values():
        net.save(output_dir=args.out_dir)
    t_save = time.time()
    print('bmtk: nodes {} edges {} (synapses) setup {:.1f} s build {:.1f} s save {:.1f} s'.format(
        sum(n.nnodes for n in nets.values()), sum(n.nedges for n in nets.values()),
        t_add - t0, t_build - t_add, t_save - t_build))


def pop_codes(d):
    """{network: (node_id -> population code array, code -> 'network:pop_name' list)} of DIR's nodes."""
    import h5py
    import numpy as np
    import pandas as pd
    out = {}
    for path in sorted(glob.glob(os.path.join(d, '*_nodes.h5'))):
        types = pd.read_csv(path[:-len('_nodes.h5')] + '_node_types.csv', sep=' ')
        by_type = dict(zip(types['node_type_id'], types['pop_name'].astype(str)))
        with h5py.File(path, 'r') as f:
            for pop in f['nodes']:
                g = f['nodes'][pop]
                ids, type_ids = g['node_id'][()], g['node_type_id'][()]
                labels = sorted({'{}:{}'.format(pop, by_type[t]) for t in set(type_ids.tolist())})
                code_of = {lab: i for i, lab in enumerate(labels)}
                codes = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=np.int64)
                codes[ids] = [code_of['{}:{}'.format(pop, by_type[t])] for t in type_ids]
                out[pop] = (codes, labels)
    return out


def cmd_v1_counts(args):
    import h5py
    import numpy as np
    pops = pop_codes(args.dir)
    # label -> [pairs, rows, targets in the target population, sum of squared in-degrees,
    #           sources in the source population, sum of squared out-degrees]
    counts = {}
    for path in sorted(glob.glob(os.path.join(args.dir, '*_edges.h5'))):
        with h5py.File(path, 'r') as f:
            for pop in f['edges']:
                g = f['edges'][pop]
                src, trg = g['source_node_id'][()].astype(np.int64), g['target_node_id'][()].astype(np.int64)
                s_codes, s_labels = pops[g['source_node_id'].attrs['node_population']]
                t_codes, t_labels = pops[g['target_node_id'].attrs['node_population']]
                n_trg, n_tl = len(t_codes), len(t_labels)
                t_sizes = np.bincount(t_codes, minlength=n_tl)
                s_sizes = np.bincount(s_codes, minlength=len(s_labels))

                def label(k):
                    return '{}\t{}'.format(s_labels[k // n_tl], t_labels[k % n_tl])

                def entry(k):
                    return counts.setdefault(
                        label(k), [0, 0, int(t_sizes[k % n_tl]), 0, int(s_sizes[k // n_tl]), 0])

                for k, c in zip(*np.unique(s_codes[src] * n_tl + t_codes[trg], return_counts=True)):
                    entry(k)[1] += int(c)
                # Rows are synapses when an edge type has per-edge properties: pairs are the distinct ones.
                pairs = np.unique(src * n_trg + trg)
                ps, pt = pairs // n_trg, pairs % n_trg
                key = s_codes[ps] * n_tl + t_codes[pt]
                for k, c in zip(*np.unique(key, return_counts=True)):
                    entry(k)[0] += int(c)
                # Each target's in-degree and each source's out-degree per population pair, for
                # the variance of the counts.
                n_src = len(s_codes)
                for col, node, n_nodes in ((3, pt, n_trg), (5, ps, n_src)):
                    kn, deg = np.unique(key * n_nodes + node, return_counts=True)
                    sq = np.bincount(kn // n_nodes, weights=deg.astype(float) ** 2)
                    for k in np.flatnonzero(sq):
                        entry(k)[col] += int(sq[k])
    for key in sorted(counts):
        print('\t'.join([key] + [str(v) for v in counts[key]]))


def read_counts(path):
    """{(source pop, target pop): (pairs, variance)} of a v1-counts output.

    Cells sit at random positions (a cell near the border has fewer partners), so a count scatters
    far more than a binomial sd says (netbuild against itself with another seed: up to 10 binomial
    sd). The variance here is the scatter of the targets' in-degrees (n * their variance, zeros
    included) plus that of the sources' out-degrees: each term holds the binomial part too, so the
    estimate errs on the wide side (at most twice the binomial part)."""
    def scatter(total, n, sumsq):
        return max(0.0, sumsq - total * total / n) if n else 0.0

    out = {}
    with open(path) as f:
        for line in f:
            s, t, pairs, _rows, n_t, sq_t, n_s, sq_s = line.rstrip('\n').split('\t')
            pairs = int(pairs)
            out[(s, t)] = (pairs, scatter(pairs, int(n_t), int(sq_t)) + scatter(pairs, int(n_s), int(sq_s)))
    return out


def cmd_v1_check(args):
    a, b = read_counts(args.a), read_counts(args.b)
    na, nb = args.names
    worst, bad, beyond_binomial = (0.0, None), [], 0
    for key in sorted(set(a) | set(b)):
        (x, vx), (y, vy) = a.get(key, (0, 0.0)), b.get(key, (0, 0.0))
        sd = math.sqrt(vx + vy)
        z = (x - y) / sd if sd else (0.0 if x == y else math.inf)
        if x + y and abs(x - y) > 5 * math.sqrt(x + y):
            beyond_binomial += 1
        if abs(z) > abs(worst[0]):
            worst = (z, key)
        if abs(z) > 5:
            bad.append('{} -> {}: {} {} vs {} {} ({:+.1f} sd)'.format(key[0], key[1], na, x, nb, y, z))
    ta, tb = sum(v[0] for v in a.values()), sum(v[0] for v in b.values())
    sd_t = math.sqrt(sum(v[1] for v in a.values()) + sum(v[1] for v in b.values()))
    zt = (ta - tb) / sd_t if sd_t else 0.0
    worst_txt = '{} -> {} {:+.2f} sd'.format(worst[1][0], worst[1][1], worst[0]) if worst[1] else 'none'
    print('{}: {} population pairs, connected pairs {} {:,} vs {} {:,} ({:+.2f} sd); {} pairs beyond 5 sd{}; '
          'largest difference {} (sd from the spread of in- and out-degrees; {} pairs beyond 5 binomial '
          'sd sqrt(a + b))'.format(
              'OK' if not bad else 'FAIL', len(set(a) | set(b)), na, ta, nb, tb, zt, len(bad),
              (': ' + '; '.join(bad[:5]) + (' ...' if len(bad) > 5 else '')) if bad else '', worst_txt,
              beyond_binomial))
    sys.exit(0 if not bad else 1)


def fmt_num(x, digits=1):
    if x is None:
        return ''
    return '{:,.{}f}'.format(x, digits)


def cmd_report(args):
    """RESULTS.tsv rows: kind, then fields.
    run   label  wall_s  rss_kib  rss_note  edges  bytes  command  [load1 before the run]
    line  text   command                (a free-form result line, e.g. a ratio or a check)
    """
    runs, lines = [], []
    with open(args.results) as f:
        for raw in f:
            parts = raw.rstrip('\n').split('\t')
            if parts[0] == 'run':
                _, label, wall, rss, rss_note, edges, nbytes, cmd = parts[:8]
                load = parts[8] if len(parts) > 8 else ''
                runs.append(dict(label=label, wall=float(wall) if wall else None,
                                 rss=int(rss) if rss else None, rss_note=rss_note,
                                 edges=int(edges) if edges else None,
                                 bytes=int(nbytes) if nbytes else None, cmd=cmd, load=load))
            elif parts[0] == 'line':
                lines.append((parts[1], parts[2] if len(parts) > 2 else ''))

    with_load = any(r['load'] for r in runs)
    head = ['run', 'wall s', 'peak RSS MiB', 'edges', 'edges/s', 'output MB'] + (['load'] if with_load else [])
    rows = []
    for r in runs:
        eps = r['edges'] / r['wall'] if r['edges'] and r['wall'] else None
        rss = fmt_num(r['rss'] / 1024, 0) if r['rss'] is not None else ''
        if r['rss_note']:
            rss = '{} ({})'.format(rss, r['rss_note'])
        rows.append([r['label'], fmt_num(r['wall'], 2), rss,
                     '{:,}'.format(r['edges']) if r['edges'] is not None else '',
                     fmt_num(eps, 0),
                     fmt_num(r['bytes'] / 1e6, 1) if r['bytes'] is not None else '']
                    + ([r['load']] if with_load else []) + [r['cmd']])

    # Terminal: aligned columns, each line followed by the command that made it.
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    out = ['  '.join(h.ljust(w) for h, w in zip(head, widths))]
    for row in rows:
        out.append('  '.join(c.ljust(w) for c, w in zip(row[:-1], widths)))
        out.append('    $ ' + row[-1])
    out.append('')
    for text, cmd in lines:
        out.append(text)
        if cmd:
            out.append('    $ ' + cmd)
    print('\n'.join(out))

    # Markdown.
    with open(args.header) as f:
        md = [f.read().rstrip('\n'), '']
    md.append('## Runs')
    md.append('')
    md.append('| ' + ' | '.join(head + ['command']) + ' |')
    md.append('|' + '|'.join(['---'] + ['---:'] * (len(head) - 1) + ['---']) + '|')
    for row in rows:
        cells = [c.replace('|', '\\|') for c in row[:-1]] + ['`' + row[-1].replace('|', '\\|') + '`']
        md.append('| ' + ' | '.join(cells) + ' |')
    md.append('')
    md.append('## Ratios and checks')
    md.append('')
    for text, cmd in lines:
        md.append('- ' + text + ('  \n  `' + cmd + '`' if cmd else ''))
    md.append('')
    with open(args.md_out, 'w') as f:
        f.write('\n'.join(md))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    b = sub.add_parser('build')
    b.add_argument('out_dir')
    b.add_argument('--compression', default='default')
    b.add_argument('--seed', type=int, default=1)
    b.set_defaults(fn=cmd_build)
    c = sub.add_parser('count')
    c.add_argument('dir')
    c.set_defaults(fn=cmd_count)
    k = sub.add_parser('bernoulli-check')
    k.add_argument('a', type=int)
    k.add_argument('b', type=int)
    k.set_defaults(fn=cmd_check)
    v = sub.add_parser('v1-build')
    v.add_argument('spec')
    v.add_argument('out_dir')
    v.add_argument('--seed', type=int, help="numpy's seed (default: the spec's [build] seed)")
    v.set_defaults(fn=cmd_v1_build)
    v = sub.add_parser('v1-counts')
    v.add_argument('dir')
    v.set_defaults(fn=cmd_v1_counts)
    v = sub.add_parser('v1-check')
    v.add_argument('a')
    v.add_argument('b')
    v.add_argument('--names', nargs=2, default=['A', 'B'])
    v.set_defaults(fn=cmd_v1_check)
    r = sub.add_parser('report')
    r.add_argument('results')
    r.add_argument('md_out')
    r.add_argument('header')
    r.set_defaults(fn=cmd_report)
    args = ap.parse_args()
    args.fn(args)


if __name__ == '__main__':
    main()
