// Package features computes graph risk features for every node of a riskwalk graph and stores
// them in the columnar, mmap-able feature file (.rwf).
//
// Algorithms (each a plain kernel with its source cited in its doc comment and a verifier or
// expected values from igraph in the tests): degrees and distinct media (ComputeDegrees,
// DistinctMedia), PageRank (directed: strongly connected components in topological order, each
// solved by Gauss-Seidel, as PRPACK does, levels and large components in parallel; undirected:
// conjugate gradients on the symmetric form of the system), personalised PageRank
// from labelled-bad seeds with the community purify step (PersonalizedPageRank, Purify), weakly
// connected components (concurrent union-find, WCC), k-core (Batagelj-Zaversnik, KCore),
// triangles and local clustering (degree-oriented merge intersection, Triangles), the 33 directed
// 2- and 3-node motif roles (Motifs), sampled betweenness (Betweenness), the typed user-medium-
// user two-hop features (TwoHopUsers), and the community-derived columns, which take a
// community assignment []uint32 from the shared Louvain in package community (CommunitySizes,
// CommunityBad), and the neighbourhood label columns (training-labelled and bad neighbours within
// one and two hops and their smoothed shares, NeighbourLabels). Compute runs the groups the caller names (see Groups); LabelDerived recomputes
// just the label-derived columns from a given set of training labels, so that a model can rebuild
// them per fold without test labels leaking in (and, with LabelOptions.Folds, without a training
// row's own label reaching its own columns). Views: algorithms that are defined on simple
// undirected graphs (k-core, triangles, motifs, two-hop) run on Sym, the undirected simple view
// (SymView), which for a directed graph also keeps each pair's direction code.
//
// # Feature file (.rwf), format version 1
//
// The file is a secfile container (riskwalk/internal/secfile: header, section table, every
// section 64-byte aligned and CRC32C-checked; see that package for the container's bytes) with
// magic "RWFEAT\x00\x00" and these sections, all integers little-endian:
//
//	section   bytes     contents
//	meta      32        0  uint32  N, the number of rows (= the graph's node count)
//	                    4  uint32  C, the number of columns
//	                    8  uint64  Checksum() of the graph the features were computed on
//	                    16 uint64  CRC-64/ECMA of the labels file used, 0 when none
//	                    24 uint64  reserved, zero
//	columns   32*C      one entry per column, in column order:
//	                    0  uint8   element type: 1 = float32, 2 = uint32
//	                    1  uint8   name length L (1..30)
//	                    2  30      name, ASCII [a-z0-9_], NUL-padded
//	params    any       UTF-8 text, one `key=value` per line ('\n'): damping, tolerance,
//	                    iterations, modularity, labels path, samples, seed, degree cap, purify
//	                    thresholds, user type, graph (the graph file's absolute path, which
//	                    show and summary default to), ...
//	c0 .. c{C-1}  4*N   column i: N values of its element type, row v = node v
//
// Scores and ratios are float32 (ample for model features; kernels compute in float64). Counts
// and ids are uint32, exact (counts saturate at 2^32-1) so that ids survive; Column converts them
// to float32 on request, ColumnUint32 reads them zero-copy. A reader checks everything once at
// Open and then indexes columns without re-checking (Row allocates nothing when dst has room).
//
// Version history (Version): V1, the layout above.
package features
