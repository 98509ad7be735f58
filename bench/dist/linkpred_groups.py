#!/usr/bin/python3
"""Link-prediction AUC by group of held-out positives, to see where a distributed run differs
from one process (bench/RESULTS.md, dist round 5).

Groups, by the partition (owners.tsv from `go run ./bench/dist/owners PARTS.rwp GRAPH.rwi`:
'ext_id owner boundary' per node, boundary = 1 if another part replicates the node):
cross-part positives, and within-part positives with 0, 1 or 2 boundary endpoints. Each group's
positives are scored against ALL negatives of test.tsv (linkpred.py's split), with dot and cosine.
Also prints the mean vector norm of interior and boundary nodes.

  /usr/bin/python3 bench/dist/linkpred_groups.py --owners owners.tsv --test DIR/test.tsv EMB.txt...
EMB.txt: word2vec text (`riskwalk export --format word2vec`). Prints one 'RESULT {json}' per file.
"""
import argparse
import json

import numpy as np
from sklearn.metrics import roc_auc_score


def load(path, n):
    with open(path, "rb") as f:
        N, D = map(int, f.readline().split())
        data = np.fromstring(f.read().decode(), dtype=np.float64, sep=" ").reshape(N, D + 1)
    E = np.zeros((n, D), np.float32)
    E[data[:, 0].astype(np.int64)] = data[:, 1:]
    return E


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--owners", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("emb", nargs="+")
    a = ap.parse_args()
    own = np.loadtxt(a.owners, dtype=np.int64, ndmin=2)
    n = int(own[:, 0].max()) + 1
    owner = np.full(n, -1, np.int64)
    owner[own[:, 0]] = own[:, 1]
    bnd = np.zeros(n, bool)
    bnd[own[:, 0]] = own[:, 2] == 1
    test = np.loadtxt(a.test, dtype=np.int64, ndmin=2)
    u, v, y = test[:, 0], test[:, 1], test[:, 2]
    if (owner[u] < 0).any() or (owner[v] < 0).any():
        raise SystemExit("%s: test nodes missing from %s (owners of another graph?)" % (a.test, a.owners))
    cross = owner[u] != owner[v]
    nb = bnd[u].astype(int) + bnd[v]
    neg = y == 0
    groups = {"cross": cross, "within_0bnd": ~cross & (nb == 0), "within_1bnd": ~cross & (nb == 1),
              "within_2bnd": ~cross & (nb == 2), "all": np.ones(len(y), bool)}
    counts = {g: int((m & (y == 1)).sum()) for g, m in groups.items()}
    for path in a.emb:
        E = load(path, n)
        x, z = E[u], E[v]
        dot = (x * z).sum(1)
        cos = dot / (np.linalg.norm(x, axis=1) * np.linalg.norm(z, axis=1) + 1e-12)
        out = {"emb": path, "positives": counts, "negatives": int(neg.sum())}
        for name, s in (("dot", dot), ("cos", cos)):
            for g, m in groups.items():
                pm = m & (y == 1)
                lab = np.r_[np.ones(pm.sum()), np.zeros(neg.sum())]
                out["auc_%s_%s" % (name, g)] = roc_auc_score(lab, np.r_[s[pm], s[neg]])
        norms = np.linalg.norm(E, axis=1)
        out["norm_interior"], out["norm_boundary"] = float(norms[~bnd].mean()), float(norms[bnd].mean())
        print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
