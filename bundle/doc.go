// Package bundle is the scoring bundle: everything riskwalk-scorer needs to answer "how risky is
// this account?" precomputed, checksummed and memory-mapped, so that the request path does no
// model arithmetic, no graph traversal and no allocation. `riskwalk bundle` fills an Input from
// the graph, vector, feature and model files and calls Write; the scorer calls Open.
//
// Input takes plain slices (ids, scores, per-feature contributions, labels, communities,
// embedding rows, a graph.Graph) or, for ids and vectors, the pipeline's own files. The bundle
// stores ids and vectors in the project's shared formats, written by their own packages (or
// copied verbatim after verification): the id index is a graph .rwi (graph.NewIDIndex,
// IDIndex.Write, read with graph.OpenIDs) and the vectors a vecfile .rwv (vecfile.Write, read
// with vecfile.Open). Only scores.rws is the bundle's own format.
//
// # Directory
//
// A bundle is a directory written atomically (Write: a temporary sibling directory, every file
// fsynced, the directory fsynced, then renamed over the target, or exchanged with an existing
// target by renameat2(RENAME_EXCHANGE) so that readers never see a missing or partial bundle):
//
//	manifest.json   format, version, model version, created time, parameters, graph checksum,
//	                and for every other file its size and CRC32C (lower-case hex)
//	ids.rwi         external id <-> dense id: a graph id index (see package graph for its layout)
//	vectors.rwv     embedding rows, float32 or int8 with a per-row scale (see package vecfile)
//	scores.rws      per-user precomputed answers, communities, neighbourhoods, meta (secfile,
//	                magic "RWBSCORE")
//
// Open reads the manifest, checks each file's size and whole-file CRC32C against it, opens each
// with secfile (header CRC, section CRCs), then checks cross-file consistency (user counts,
// dimensions, vector kind, graph checksums, ranges of every id stored). Any failure refuses the
// whole bundle with an error wrapping ErrBadBundle. After Open nothing is re-checked on the request path.
//
// Every file uses the secfile container (see riskwalk/internal/secfile for the header and
// section table); all integers and floats are little-endian, every section starts at a multiple
// of 64 bytes. N is the number of users (dense ids 0..N-1), C the number of communities.
//
// The manifest's graph_checksum (16 hex digits; zeros when unknown) must equal the graph
// checksum recorded in ids.rwi and in vectors.rwv wherever those are non-zero.
//
// # scores.rws (magic "RWBSCORE", version 1)
//
//	section "meta"     JSON (Meta): model version, thresholds, reason names, cold-start score,
//	                   transaction link weight, neighbourhood cap, counts
//	section "users"    N rows of 80 bytes (UserRow), row v at byte 80*v:
//	                     0   4  score, float32 in [0,1], the model's probability of "bad"
//	                     4   1  decision, uint8: 0 pass, 1 review, 2 reject (from the thresholds)
//	                     5   1  flags, uint8: bit 0 labelled bad, bit 1 labelled good,
//	                            bit 2 neighbourhood capped, bit 3 two-hop count capped,
//	                            bit 4 no vector (zero row)
//	                     6   1  R, reasons stored (0..4)
//	                     7   1  K, nearest labelled-bad users stored (0..4)
//	                     8   4  community id, uint32 (0xFFFFFFFF: none)
//	                     12  4  degree, uint32
//	                     16  4  labelled-bad users within two hops (excluding v), uint32
//	                     20  4  1/||x_v||, float32, of the stored (dequantised) vector; 0 if zero
//	                     24  8  reason codes, 4 x uint16 (index into meta.reason_names), by
//	                            decreasing contribution; the first R are valid
//	                     32  16 contributions, 4 x float32, to the model's logit, parallel to codes
//	                     48  16 nearest labelled-bad users, 4 x uint32 dense id, by decreasing
//	                            similarity; the first K are valid
//	                     64  16 cosine similarities, 4 x float32, parallel to the ids
//	section "comms"    C rows of 8 bytes: 0 4 size (users), uint32; 4 4 labelled-bad users, uint32
//	section "nbr_off"  (N+1) uint64: the capped neighbourhood of v is nbr[nbr_off[v]:nbr_off[v+1]]
//	section "nbr"      uint32 entries: bits 0..30 a dense id, bit 31 set when the user is two hops
//	                   away (clear: a direct neighbour). Direct neighbours come first, in graph
//	                   order, then two-hop users in discovery order; at most meta.nbr_cap in all,
//	                   v itself excluded. Dense ids are therefore limited to 2^31-1.
//
// # Versions
//
// FormatVersion is the bundle (manifest) version; each file carries its own secfile version.
// V1 (ids.rwbi and vectors.rwbv, the bundle's own id table and vector file) is no longer read:
// rebuild such bundles. V2 is the layout above.
package bundle
