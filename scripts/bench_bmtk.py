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
  bench_bmtk.py report RESULTS.tsv MD_OUT HEADER.md
      Renders the collected results as a table on stdout and as docs/BENCHMARKS.md.
"""
import argparse
import glob
import math
import os
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
    r = sub.add_parser('report')
    r.add_argument('results')
    r.add_argument('md_out')
    r.add_argument('header')
    r.set_defaults(fn=cmd_report)
    args = ap.parse_args()
    args.fn(args)


if __name__ == '__main__':
    main()
