#!/usr/bin/python3
"""Anchor for bench/louvain: python3-igraph's community_multilevel on the same edge-list files and
the same graph view as bench/louvain/main.go (undirected simple: reciprocal arcs collapsed, self-loops
and multi-edges dropped; n = largest id + 1). Prints the same TSV columns: graph, tool, seed, seconds,
modularity, communities, levels. Only community_multilevel is timed, not loading."""
import gzip, os, random, sys, time
import numpy as np
import igraph as ig

repeats = int(sys.argv[1])
for path in sys.argv[2:]:
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        a = np.loadtxt(f, dtype=np.int64, comments="#", usecols=(0, 1), ndmin=2)
    a = a[a[:, 0] != a[:, 1]]
    a.sort(axis=1)
    a = np.unique(a, axis=0)
    n = int(a.max()) + 1
    g = ig.Graph(n=n, edges=a.tolist(), directed=False)
    name = os.path.basename(os.path.dirname(path))
    print("%s: %d nodes, %d edges (igraph %s)" % (name, g.vcount(), g.ecount(), ig.__version__), file=sys.stderr)
    for seed in range(repeats):
        random.seed(seed)
        ig.set_random_number_generator(random)
        t0 = time.perf_counter()
        levels = g.community_multilevel(return_levels=True)
        el = time.perf_counter() - t0
        m = levels[-1].membership
        print("%s\tigraph\t%d\t%.4f\t%.6f\t%d\t%d" % (name, seed, el, g.modularity(m), max(m) + 1, len(levels)), flush=True)
