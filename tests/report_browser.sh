#!/usr/bin/env bash
# The report in a real browser: builds examples/distance.toml, writes its report with the spec,
# renders report.html in headless Chromium (a screenshot and the DOM after layout), and checks
# that the page has its sections and charts, that it opens on the group matrices (measured and
# expected heat maps, one cell per pair of pop_name groups, painted in the screenshot), that
# the per-edge-type charts are folded, that every chart has drawn content, that it fetches
# nothing, and that the screenshot is not blank.
#
# Installs Debian's `chromium` if it is missing (apt-get, idempotent). Exits non-zero on failure.
# KEEP=1 keeps the temporary folder (report.html, shot.png, dom.html) and prints its path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

fail() {
    echo "report_browser: FAIL: $*" >&2
    exit 1
}
say() { echo "report_browser: $*"; }

# --- Chromium -----------------------------------------------------------------------------------
find_chromium() { command -v chromium || command -v chromium-browser || true; }
CHROME=$(find_chromium)
if [[ -z $CHROME ]]; then
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    say "installing chromium (apt-get)"
    # `apt-get update` only when the package lists do not know chromium yet.
    if ! apt-cache show chromium >/dev/null 2>&1; then
        "${SUDO[@]}" apt-get update -q
    fi
    "${SUDO[@]}" apt-get install -y -q chromium >/dev/null ||
        { "${SUDO[@]}" apt-get update -q && "${SUDO[@]}" apt-get install -y -q chromium >/dev/null; } ||
        fail "cannot install chromium"
    CHROME=$(find_chromium)
    [[ -n $CHROME ]] || fail "chromium installed but not on PATH"
fi

# --- The circuit and its report -----------------------------------------------------------------
SPEC=
for d in "$ROOT/../shared/examples" "$ROOT/examples"; do
    if [[ -f $d/distance.toml ]]; then
        SPEC=$(cd "$d" && pwd)/distance.toml
        break
    fi
done
[[ -n $SPEC ]] || fail "no distance.toml in ../shared/examples or examples"

BIN=$ROOT/target/release/netbuild-mpi
cargo build --release --quiet --bin netbuild-mpi || fail "cargo build"

TMP=$(mktemp -d)
cleanup() {
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

say "building $SPEC"
"$BIN" "$SPEC" -o "$TMP/circuit" >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; fail "build"; }
"$BIN" report "$TMP/circuit" --spec "$SPEC" >"$TMP/report.log" 2>&1 || { cat "$TMP/report.log" >&2; fail "report"; }
PAGE=$TMP/circuit/report.html
[[ -s $PAGE ]] || fail "no report.html"

# Self-contained: no script, no stylesheet or image to fetch, no URL but the SVG namespace.
if grep -Eqi '<script|<link|<img|<iframe|@import|url\(' "$PAGE"; then
    fail "report.html refers to something external or has a script"
fi
if grep -Eo '(https?|ftp)://[^"'"'"' )<]*' "$PAGE" | grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
    fail "report.html has a URL: $(grep -Eo 'https?://[^"]*' "$PAGE" | grep -v w3.org | head -1)"
fi

# --- Headless Chromium --------------------------------------------------------------------------
chrome() {
    timeout 180 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$TMP")" "$@" 2>>"$TMP/chromium.log"
}
URL="file://$PAGE"
chrome --screenshot="$TMP/shot.png" --window-size=1400,3000 "$URL" >/dev/null ||
    { tail -20 "$TMP/chromium.log" >&2; fail "chromium --screenshot"; }
chrome --dump-dom --window-size=1400,3000 "$URL" >"$TMP/dom.html" ||
    { tail -20 "$TMP/chromium.log" >&2; fail "chromium --dump-dom"; }
[[ -s $TMP/shot.png ]] || fail "no screenshot"
[[ -s $TMP/dom.html ]] || fail "empty DOM"

# --- The DOM and the pixels ---------------------------------------------------------------------
# Standard library only: the DOM as the browser parsed it, the PNG decoded with zlib.
python3 - "$TMP/dom.html" "$TMP/shot.png" <<'PY' || fail "checks of the rendered page (above)"
import itertools, struct, sys, zlib
from html.parser import HTMLParser

dom_path, png_path = sys.argv[1], sys.argv[2]
errors = []

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs = []          # per <svg>: counts of drawn elements
        self.depth = 0
        self.h2 = []
        self.in_h2 = False
        self.in_matrix = False  # inside <figure class="matrix">
        self.matrices = []      # per heat map: its cells' (fill, tooltip)
        self.in_title = False
        self.details = []       # ids of <details> elements, and whether open
        self.cell_fill = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.in_matrix = "matrix" in (a.get("class") or "").split()
        if tag == "details":
            self.details.append((a.get("id"), "open" in a))
        if tag == "svg":
            self.depth += 1
            if self.depth == 1:
                self.svgs.append({"rect": 0, "path": 0, "circle": 0, "text": 0, "line": 0})
                if self.in_matrix:
                    self.matrices.append([])
        elif self.depth and tag in self.svgs[-1]:
            self.svgs[-1][tag] += 1
        # A cell is a <rect> holding its tooltip <title>.
        if self.depth and self.in_matrix and tag == "rect":
            self.cell_fill = a.get("fill")
        if self.depth and self.in_matrix and tag == "title":
            self.in_title = True
            self.matrices[-1].append([self.cell_fill, ""])
        if tag == "h2":
            self.in_h2 = True
            self.h2.append("")
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self.depth -= 1
    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth -= 1
        if tag == "h2":
            self.in_h2 = False
        if tag == "title":
            self.in_title = False
        if tag == "figure":
            self.in_matrix = False
    def handle_data(self, data):
        if self.in_h2:
            self.h2[-1] += data
        if self.in_title and self.in_matrix and self.matrices and self.matrices[-1]:
            self.matrices[-1][-1][1] += data

p = Page()
p.feed(open(dom_path, encoding="utf-8").read())

want_titles = ["Connection matrices", "Populations", "Edges per edge type",
               "In-degree and out-degree",
               "Synapses per connection (nsyns)", "Connection probability against distance"]
for t in want_titles:
    if not any(h.strip() == t for h in p.h2):
        errors.append(f"no section titled {t!r} (sections: {p.h2})")

# The page opens on the matrices; the per-edge-type charts are folded (closed <details>).
if p.h2 and p.h2[0].strip() != "Connection matrices":
    errors.append(f"the first section is {p.h2[0].strip()!r}, not the connection matrices")
for want in ("edge-types", "distance"):
    if (want, False) not in p.details:
        errors.append(f"no closed <details id={want!r}> (details: {p.details})")

# distance.toml: pop_name exc and inh, so 2 x 2 cells in each of the 4 heat maps (probability
# and mean in-degree, measured and expected), every cell coloured and with its exact values.
if len(p.matrices) != 4:
    errors.append(f"{len(p.matrices)} heat maps, expected 4")
cell_fills = set()
for k, cells in enumerate(p.matrices):
    if len(cells) != 4:
        errors.append(f"heat map #{k + 1} has {len(cells)} cells, expected 4")
    for fill, title in cells:
        if not fill or not fill.startswith("#") or fill == "#e4e4e4":
            errors.append(f"heat map #{k + 1}: cell {title!r} has no colour ({fill})")
        else:
            cell_fills.add(fill)
        if not (("exc →" in title or "inh →" in title) and "expected" in title):
            errors.append(f"heat map #{k + 1}: tooltip {title!r} lacks the groups or expected")
if len(cell_fills) < 2:
    errors.append(f"heat map cells all alike: {cell_fills}")
print(f"report_browser: {len(p.matrices)} heat maps, cell tooltips e.g. "
      f"{p.matrices[0][0][1] if p.matrices and p.matrices[0] else None!r}")

# distance.toml: 4 heat maps, 1 bar chart, in- and out-degree, nsyns, 2 distance profiles.
if len(p.svgs) != 10:
    errors.append(f"{len(p.svgs)} <svg> elements, expected 10")
for i, s in enumerate(p.svgs):
    drawn = s["rect"] + s["path"] + s["circle"] + s["line"] - 1  # less the background
    if drawn < 5 or s["text"] < 4:
        errors.append(f"<svg> #{i + 1} is nearly empty: {s}")
total = {k: sum(s[k] for s in p.svgs) for k in ("rect", "path", "circle", "text")}
if total["rect"] < 40:
    errors.append(f"only {total['rect']} <rect> in all charts")
if total["circle"] < 30:
    errors.append(f"only {total['circle']} <circle> (measured points) in the distance charts")
if total["path"] < 10:
    errors.append(f"only {total['path']} <path> in all charts")
print(f"report_browser: DOM: {len(p.svgs)} charts, {total}, sections {[h.strip() for h in p.h2]}")

# The screenshot: decode the PNG (8-bit RGB or RGBA, not interlaced) and count colours.
data = open(png_path, "rb").read()
if len(data) < 20_000:
    errors.append(f"screenshot is only {len(data)} bytes")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    errors.append("screenshot is not a PNG")
else:
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = {2: 3, 6: 4}.get(ctype)
    if depth != 8 or bpp is None or interlace:
        print(f"report_browser: PNG type {ctype}/{depth}/{interlace}: colours not counted")
    else:
        raw = zlib.decompress(idat)
        stride = w * bpp
        prev = bytearray(stride)
        colours, blue, heat = set(), 0, 0
        fills = [tuple(int(f[i:i + 2], 16) for i in (1, 3, 5)) for f in cell_fills]
        for y in range(h):
            f = raw[y * (stride + 1)]
            line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            if f == 2:  # Up (most rows of a page): one pass in C
                line = bytearray((x + b) & 255 for x, b in zip(line, prev))
            elif f == 1:  # Sub: a running sum per channel
                for ch in range(bpp):
                    line[ch::bpp] = bytearray(
                        itertools.accumulate(line[ch::bpp], lambda acc, x: (acc + x) & 255))
            elif f in (3, 4):  # Average, Paeth
                for x in range(stride):
                    a = line[x - bpp] if x >= bpp else 0
                    b = prev[x]
                    if f == 3:
                        line[x] = (line[x] + (a + b) // 2) & 255
                        continue
                    c = prev[x - bpp] if x >= bpp else 0
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    line[x] = (line[x] + pr) & 255
            prev = line
            if y % 2 == 0:
                for x in range(0, stride, bpp * 2):
                    px = bytes(line[x:x + 3])
                    colours.add(px)
                    # The bars and dots of the charts: #4c72b0.
                    if abs(px[0] - 0x4c) < 12 and abs(px[1] - 0x72) < 12 and abs(px[2] - 0xb0) < 12:
                        blue += 1
                    # The heat map cells (not white, not the page's grey).
                    if y < 1200 and px != (255, 255, 255) and any(
                            all(abs(px[i] - f[i]) < 6 for i in range(3)) for f in fills):
                        heat += 1
        print(f"report_browser: screenshot {w}x{h}, {len(data)} bytes, {len(colours)} colours, "
              f"{blue} chart-blue samples, {heat} heat-map samples in the first 1200 rows")
        if heat < 400:
            errors.append(f"the top of the screenshot shows few heat map pixels ({heat} samples)")
        if len(colours) <= 10:
            errors.append(f"screenshot has {len(colours)} colours: blank?")
        if blue < 2000:
            errors.append(f"screenshot shows few chart pixels ({blue} samples of the bar colour)")

for e in errors:
    print("report_browser: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

say "ok ($(grep -o '[0-9]* charts' "$TMP/report.log" || true))"
