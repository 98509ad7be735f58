#!/usr/bin/python3
"""Anchor for riskwalk's DeepWalk trainer: gensim Word2Vec (sg=1, negative sampling) on a walk file.

  gensim_train.py train WALKS OUT.emb --dim 128 --window 10 --negative 5 --sample 1e-3 --workers 2
  gensim_train.py walk EDGES.tsv WALKS --walks 80 --length 40 --seed 0
      a fast NumPy uniform walker (all walks of a round advanced together, vectorised), for
      gensim's end-to-end time.
Prints 'RESULT {json}' with the timings.
"""
import argparse, json, sys, time


def train(a):
    from gensim.models import Word2Vec
    t = time.perf_counter()
    m = Word2Vec(corpus_file=a.walks, vector_size=a.dim, window=a.window, min_count=0, sg=1, hs=0,
                 negative=a.negative, sample=a.sample, workers=a.workers, epochs=a.epochs,
                 alpha=0.025, min_alpha=0.0001, seed=a.seed)
    el = time.perf_counter() - t
    m.wv.save_word2vec_format(a.out)
    words = m.corpus_total_words * a.epochs
    print("RESULT " + json.dumps({"train_s": el, "tokens": words, "tokens_per_s": words / el,
                                  "tokens_per_s_core": words / el / a.workers, "workers": a.workers}))


def walk(a):
    import numpy as np
    t = time.perf_counter()
    e = np.loadtxt(a.edges, dtype=np.int64, usecols=(0, 1), ndmin=2)
    n = int(e.max()) + 1
    src = np.concatenate([e[:, 0], e[:, 1]])
    dst = np.concatenate([e[:, 1], e[:, 0]])
    order = np.argsort(src, kind="stable")
    adj = dst[order].astype(np.int32)
    deg = np.bincount(src, minlength=n)
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=off[1:])
    load = time.perf_counter() - t
    rng = np.random.default_rng(a.seed)
    t = time.perf_counter()
    with open(a.out, "w") as f:
        for _ in range(a.walks):
            cur = rng.permutation(n).astype(np.int64)
            W = np.empty((n, a.length), dtype=np.int64)
            W[:, 0] = cur
            for s in range(1, a.length):
                d = deg[cur]
                cur = adj[off[cur] + (rng.random(n) * d).astype(np.int64)]
                W[:, s] = cur
            np.savetxt(f, W, fmt="%d", delimiter=" ")
    el = time.perf_counter() - t
    print("RESULT " + json.dumps({"load_s": load, "walk_s": el, "steps": a.walks * n * (a.length - 1)}))


ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="cmd", required=True)
p = sub.add_parser("train")
p.add_argument("walks"); p.add_argument("out")
for k, v in [("dim", 128), ("window", 10), ("negative", 5), ("workers", 2), ("epochs", 1), ("seed", 1)]:
    p.add_argument("--" + k, type=int, default=v)
p.add_argument("--sample", type=float, default=1e-3)
p = sub.add_parser("walk")
p.add_argument("edges"); p.add_argument("out")
p.add_argument("--walks", type=int, default=80); p.add_argument("--length", type=int, default=40)
p.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
{"train": train, "walk": walk}[a.cmd](a)
