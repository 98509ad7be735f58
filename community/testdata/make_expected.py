#!/usr/bin/python3
"""Regenerates expected.tsv and the *.membership files: python3-igraph's community_multilevel
(Louvain) on the undirected views used by community's tests, run once per seed 0..19.

Run from the repository root: /usr/bin/python3 community/testdata/make_expected.py
Graph views (the same ones the Go tests build):
  karate:        shared/data/karate/edges.tsv, undirected.
  email-eu-core: shared/data/email-eu-core/edges.tsv (directed) as undirected, reciprocal arcs
                 collapsed to one edge of weight 1, self-loops kept (igraph counts a loop twice in
                 the degree, as riskwalk does): as_undirected(mode="collapse").
expected.tsv: graph, igraph version, min/median/max modularity of the 20 runs.
<graph>.membership: the membership igraph found with seed 0, one community per line, with its
modularity in the first line (a '#' comment), used to test community.Modularity against igraph's.
"""
import os, random, statistics, igraph as ig

root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
out = os.path.dirname(__file__)

def load(path, n=None):
    es = []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        u, v = line.split()[:2]
        es.append((int(u), int(v)))
    n = max(max(e) for e in es) + 1
    return n, es

rows = []
for name, rel, directed in [("karate", "karate/edges.tsv", False), ("email-eu-core", "email-eu-core/edges.tsv", True)]:
    n, es = load(os.path.join(root, rel))
    g = ig.Graph(n=n, edges=es, directed=directed)
    if directed:
        g = g.as_undirected(mode="collapse")
    else:
        g.simplify(multiple=True, loops=False)
    qs = []
    for seed in range(20):
        random.seed(seed)
        ig.set_random_number_generator(random)
        cl = g.community_multilevel()
        qs.append(g.modularity(cl.membership))
        if seed == 0:
            with open(os.path.join(out, name + ".membership"), "w") as f:
                f.write("# igraph %s community_multilevel seed 0 modularity %.12f\n" % (ig.__version__, qs[0]))
                for c in cl.membership:
                    f.write("%d\n" % c)
    rows.append("%s\t%s\t%.6f\t%.6f\t%.6f" % (name, ig.__version__, min(qs), statistics.median(qs), max(qs)))

with open(os.path.join(out, "expected.tsv"), "w") as f:
    f.write("# graph\tigraph\tmin_Q\tmedian_Q\tmax_Q  (20 runs of community_multilevel; see make_expected.py)\n")
    f.write("\n".join(rows) + "\n")
print("\n".join(rows))
