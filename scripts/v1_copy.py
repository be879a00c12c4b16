#!/usr/bin/env python3
"""Makes a smaller copy of a V1 spec (examples v1core.toml / v1full.toml): the same model on a
smaller disc, for benchmarks and tests that cannot afford the full size.

  v1_copy.py SRC DST [RADIUS] [--square] [--output-dir DIR]

In:  SRC, a spec whose spatial [[nodes]] blocks place cells with
     `positions = { cylinder = [radius, y_lo, y_hi] }` (V1's layers, and LGN on the plane y = 0);
     every such block must use the same radius R (the model's core radius).
Out: DST, the same text with, in every block that has a cylinder (RADIUS: default R, the same size):
     - N scaled by the area ratio (RADIUS / R)^2 (rounded, at least 1), so the cell density stays;
     - the cylinder radius scaled by RADIUS / R (V1's core and LGN's wider disc alike).
     Blocks without positions (the background units) keep their N: their number does not grow
     with the area. Edges are unchanged (their rules are densities in distance, no cut-off).
     `output_dir` is set to DIR (default: DST's file name without .toml, plus `_network`;
     a relative path resolves against DST's folder, as the spec says).
     --square: replace each cylinder by `x`/`y`/`z` uniform generators over a square of the same
     area (side RADIUS * sqrt(pi)), for a netbuild without `positions`; the distance law of pairs
     differs a little at the border, so compare such a copy only with a build of the same copy.
The text is edited line by line (comments and order kept), not re-serialized.
"""
import argparse
import math
import re
import sys

CYL = re.compile(r'^positions = \{ cylinder = \[([^\]]*)\] \}$', re.M)
N_LINE = re.compile(r'^N = (\d+)$', re.M)
OUT_DIR = re.compile(r'^output_dir = "[^"]*"$', re.M)


def fail(msg):
    sys.exit('v1_copy: ' + msg)


def copy(text, radius, square, out_dir):
    radii = {float(m.group(1).split(',')[0]) for m in CYL.finditer(text)}
    if not radii:
        fail('no `positions = { cylinder = [...] }` line in the source spec')
    # V1's layers share the core radius; LGN's disc is wider. The core is the smallest one.
    r_core = min(radii)
    scale = 1.0 if radius is None else radius / r_core
    area = scale ** 2

    def place(m):
        r, y_lo, y_hi = (float(v) for v in m.group(1).split(','))
        r *= scale
        if not square:
            return 'positions = {{ cylinder = [{}, {}, {}] }}'.format(r, y_lo, y_hi)
        h = r * math.sqrt(math.pi) / 2  # half side of the square of area pi r^2
        return ('x = {{ uniform = [{}, {}] }}\ny = {{ uniform = [{}, {}] }}\nz = {{ uniform = [{}, {}] }}'
                .format(-h, h, y_lo, y_hi, -h, h))

    # Blocks start at a `[[...]]` header; only [[nodes]] blocks with a cylinder are resized.
    blocks = re.split(r'(?m)^(?=\[\[)', text)
    out = []
    for block in blocks:
        if block.startswith('[[nodes]]') and CYL.search(block):
            m = N_LINE.search(block)
            if not m:
                fail('a [[nodes]] block with positions has no `N = <integer>` line:\n' + block[:200])
            n = max(1, round(int(m.group(1)) * area))
            block = block[:m.start()] + 'N = {}'.format(n) + block[m.end():]
            block = CYL.sub(place, block)
        out.append(block)
    text = ''.join(out)
    if OUT_DIR.search(text):
        text = OUT_DIR.sub('output_dir = "{}"'.format(out_dir), text, count=1)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('src')
    ap.add_argument('dst')
    ap.add_argument('radius', type=float, nargs='?',
                    help="core radius of the copy, micrometres (default: the source's)")
    ap.add_argument('--square', action='store_true',
                    help='x/y/z uniform over a square of the same area instead of positions.cylinder')
    ap.add_argument('--output-dir', help="the copy's output_dir (default: DST without .toml)")
    args = ap.parse_args()
    if args.radius is not None and args.radius <= 0:
        fail('RADIUS must be > 0')
    out_dir = args.output_dir or re.sub(r'\.toml$', '', args.dst.rsplit('/', 1)[-1]) + '_network'
    with open(args.src) as f:
        text = f.read()
    with open(args.dst, 'w') as f:
        f.write(copy(text, args.radius, args.square, out_dir))


if __name__ == '__main__':
    main()
