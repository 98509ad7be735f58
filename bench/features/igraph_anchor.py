#!/usr/bin/python3
"""igraph anchor for bench/features: times python3-igraph's PageRank, weak components, coreness and
local transitivity (triangles) on the same graph view riskwalk uses, median of --repeat runs,
timing only the call (not loading), and checks riskwalk's result arrays (written by the Go
program under --out) against igraph's: PageRank L1 distance, components/k-core/triangles identical.

Views: dblp-2010 (symmetric arcs) as an undirected simple graph; cnr-2000 PageRank on the directed
graph with self-loops (PRPACK spreads dangling mass uniformly, as riskwalk does); components weak;
k-core and triangles on the undirected simple view (as_undirected(collapse) + simplify).
Output lines: name algo igraph threads median_s note, tab-separated, then check lines; the note
ends with cpu=S, the median process CPU time (all threads) of the timed calls, which a loaded
shared machine inflates less than wall time.
"""
import argparse, gzip, os, sys, time
import numpy as np
import igraph as ig

ap = argparse.ArgumentParser()
ap.add_argument('--graph', required=True)
ap.add_argument('--name', required=True)
ap.add_argument('--n', type=int, required=True, help='node count (ids 0..n-1)')
ap.add_argument('--directed', action='store_true')
ap.add_argument('--repeat', type=int, default=5)
ap.add_argument('--out', required=True, help='folder with riskwalk result arrays')
ap.add_argument('--tag', default='igraph', help='label of the timing lines (igraph, igraph-1t)')
a = ap.parse_args()

arcs = np.loadtxt(gzip.open(a.graph, 'rt'), dtype=np.int64, comments='#')
if a.directed:
    g = ig.Graph(n=a.n, edges=arcs.tolist(), directed=True)
else:
    g = ig.Graph(n=a.n, edges=arcs.tolist(), directed=False)
    g.simplify()  # symmetric input lists each edge twice
u = g.as_undirected(mode='collapse') if a.directed else g.copy()
u.simplify()
print(f'# {a.name}: igraph {ig.__version__}, {g.vcount()} nodes, {g.ecount()} edges in PageRank view, '
      f'{u.ecount()} undirected simple edges', file=sys.stderr)

def timed(algo, f):
    ts, cs, res = [], [], None
    for _ in range(a.repeat):
        c = time.process_time(); t = time.perf_counter(); res = f()
        ts.append(time.perf_counter() - t); cs.append(time.process_time() - c)
    ts.sort(); cs.sort()
    print(f'{a.name}\t{algo}\t{a.tag}\t1\t{ts[len(ts)//2]:.6f}\tOMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS", "default")} '
          f'cpu={cs[len(cs)//2]:.4f}', flush=True)
    return res

def ours(algo, dtype):
    p = os.path.join(a.out, f'{a.name}.{algo}.bin')
    return np.fromfile(p, dtype=dtype) if os.path.exists(p) else None

checks = []
pr = np.array(timed('pagerank', lambda: g.pagerank(damping=0.85)))
x = ours('pagerank', '<f8')
if x is not None:
    l1 = float(np.abs(x - pr).sum())
    checks.append(('pagerank', f'L1={l1:.3e}', l1 <= 1e-6))
cc = timed('wcc', lambda: g.connected_components(mode='weak'))
x = ours('wcc', '<u4')
if x is not None:
    ok = np.array_equal(x.astype(np.int64), np.array(cc.membership))
    checks.append(('wcc', f'components={len(cc)}', ok))
core = np.array(timed('kcore', lambda: u.coreness()))
x = ours('kcore', '<u4')
if x is not None:
    checks.append(('kcore', f'max={core.max()}', np.array_equal(x.astype(np.int64), core)))
t = np.array(timed('triangles', lambda: u.transitivity_local_undirected(mode='zero')))
x = ours('triangles', '<u8')
if x is not None:
    d = np.array(u.degree(), dtype=np.float64)
    tri = np.rint(t * d * (d - 1) / 2).astype(np.int64)
    checks.append(('triangles', f'total={tri.sum() // 3}', np.array_equal(x.astype(np.int64), tri)))
bad = False
for algo, note, ok in checks:
    print(f'# check {a.name} {algo}: {"identical" if ok and algo != "pagerank" else ("within 1e-6" if ok else "MISMATCH")} ({note})')
    bad |= not ok
sys.exit(1 if bad else 0)
