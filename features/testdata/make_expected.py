#!/usr/bin/python3
"""Writes the expected feature values the features tests compare with, computed once with
python3-igraph (Debian python3-igraph 0.10). Run from this folder:
    /usr/bin/python3 make_expected.py ../../../shared/data
See README.md."""
import sys, os
import igraph as ig

data = sys.argv[1] if len(sys.argv) > 1 else '../../../shared/data'

def read_edges(path):
    es = []
    for line in open(path):
        if line.startswith('#') or not line.strip():
            continue
        u, v = line.split()[:2]
        es.append((int(u), int(v)))
    return es

SEEDS = {'karate': [0, 33, 16], 'email': [1, 5, 17, 80, 160]}

def write(name, n, cols):
    with open(f'{name}.expected.tsv', 'w') as f:
        f.write('#node\t' + '\t'.join(k for k, _ in cols) + '\n')
        for v in range(n):
            f.write(str(v) + '\t' + '\t'.join(repr(float(c[v])) if isinstance(c[v], float) else str(c[v]) for _, c in cols) + '\n')

# karate: undirected.
es = read_edges(os.path.join(data, 'karate', 'edges.tsv'))
n = max(max(e) for e in es) + 1
g = ig.Graph(n=n, edges=es, directed=False)
cols = [
    ('degree', g.degree()),
    ('pagerank', g.pagerank(damping=0.85)),
    ('ppr', g.personalized_pagerank(damping=0.85, reset_vertices=SEEDS['karate'])),
    ('wcc', g.connected_components().membership),
    ('kcore', g.coreness()),
    ('clustering', g.transitivity_local_undirected(mode='zero')),
    ('betweenness', g.betweenness(directed=False)),
]
d = g.degree()
cols.append(('triangles', [round(c * k * (k - 1) / 2) for c, k in zip(cols[5][1], d)]))
write('karate', n, cols)

# email-Eu-core: directed with self-loops; 1005 nodes.
es = read_edges(os.path.join(data, 'email-eu-core', 'edges.tsv'))
n = 1005
g = ig.Graph(n=n, edges=es, directed=True)
g.simplify(multiple=True, loops=False)  # riskwalk merges duplicate arcs; keep self-loops
u = g.as_undirected(mode='collapse'); u.simplify()
cl = u.transitivity_local_undirected(mode='zero')
ud = u.degree()
cols = [
    ('deg_in', g.indegree()),
    ('deg_out', g.outdegree()),
    ('pagerank', g.pagerank(damping=0.85, directed=True)),
    ('ppr', g.personalized_pagerank(damping=0.85, directed=True, reset_vertices=SEEDS['email'])),
    ('wcc', g.connected_components(mode='weak').membership),
    ('kcore', u.coreness()),
    ('clustering', cl),
    ('triangles', [round(c * k * (k - 1) / 2) for c, k in zip(cl, ud)]),
    ('betweenness', g.betweenness(directed=True)),
]
write('email', n, cols)

# Motif census on email-Eu-core without self-loops: igraph's per-class counts of connected
# 3-node subgraphs, and the class of each riskwalk role's representative (x, y, z) triple
# (x = pair code of (v,a), y of (v,b), z of (a,b); 1 = first->second, 2 = second->first, 3 = both).
ROLES = [(1,1,0),(2,2,0),(1,2,0),(3,1,0),(3,2,0),(3,3,0),(2,0,1),(1,0,2),(1,0,1),(2,0,2),(3,0,1),
         (2,0,3),(3,0,2),(1,0,3),(3,0,3),(1,1,1),(2,1,1),(2,2,1),(1,2,1),(1,1,3),(3,2,2),(2,2,3),
         (3,1,1),(3,1,2),(2,1,3),(3,2,1),(3,1,3),(3,3,1),(2,3,3),(3,3,3)]
def arcs(a, b, code):
    return ([(a, b)] if code & 1 else []) + ([(b, a)] if code & 2 else [])
gs = g.copy(); gs.simplify(multiple=True, loops=True)
census = gs.motifs_randesu(size=3)
with open('email.motifs.tsv', 'w') as f:
    f.write('#role_index\tigraph_isoclass (of the role representative)\n')
    for i, (x, y, z) in enumerate(ROLES):
        h = ig.Graph(n=3, edges=arcs(0, 1, x) + arcs(0, 2, y) + arcs(1, 2, z), directed=True)
        f.write(f'{i}\t{h.isoclass()}\n')
    f.write('#census\tisoclass\tcount (igraph motifs_randesu size 3; nan = disconnected class)\n')
    for c, k in enumerate(census):
        f.write(f'census\t{c}\t{-1 if k != k else int(k)}\n')
