// Package graph holds riskwalk's graph: a compressed sparse row (CSR) adjacency over dense uint32
// node ids, built from edge lists by ingest and stored in the mmap-able .rwg file.
//
// A Graph is read-only once built. Its slices may point into a read-only memory map: callers must
// never write to them. Node ids are dense, 0..N-1. For an undirected graph every edge {u,v} with
// u != v is stored twice (u->v and v->u) and a self-loop once; neighbour lists are sorted ascending
// and hold no duplicates.
//
// Files: ingest writes X.rwg (the graph) and X.rwi (its id index); Open and OpenIDs map them and
// check them once. Both are secfile containers (internal/secfile: 32-byte header with magic,
// version, section count, file size and header CRC32C; a 40-byte table entry per section with
// name, offset, length and CRC32C; sections 64-byte aligned), little-endian.
//
// The graph file (.rwg) is a secfile container (see internal/secfile for the header, the section
// table, 64-byte alignment and the CRC32C per section) with magic "RWGRAPH\x00" and these sections,
// in this order, all little-endian:
//
//	name      element   count   meaning
//	meta      JSON      1       Meta, UTF-8 JSON object (directed flag, counts, type names, sources,
//	                            ingest flags, created-at); unknown fields are ignored by readers
//	offsets   uint64    N+1     CSR row starts: neighbours of v are adj[offsets[v]:offsets[v+1]];
//	                            offsets[0] = 0, non-decreasing, offsets[N] = M
//	adj       uint32    M       neighbour ids, strictly ascending within each row, each < N
//	weights   float32   M       arc weights parallel to adj (only if Meta.Weighted)
//	times     int64     M       arc timestamps, unix seconds, parallel to adj (only if Meta.Timed)
//	types     uint8     N       node-type code per node, < len(Meta.TypeNames) (only if typed)
//
// M is the number of stored arcs: an undirected edge {u,v}, u != v, is stored as u->v and v->u, a
// self-loop once. The external ids of the dense node ids live in the id index beside the graph
// (X.rwg -> X.rwi, see ids.go).
//
// The id index (.rwi, beside X.rwg) maps external ids (the strings in the input) to dense ids and
// back, read in place from a memory map without building a Go map. It is a secfile container
// (internal/secfile: header, section table, 64-byte aligned sections, CRC32C each) with magic
// "RWIDS\x00\x00\x00" and these sections, little-endian:
//
//	name     element  count     meaning
//	idmeta   bytes    32        0 u32 kind (1 identity, 2 int, 3 string); 4 u32 log2 of the hash
//	                            table size (string kind, else 0); 8 u64 N, the node count;
//	                            16 u64 graph checksum the index belongs to (0 = unknown);
//	                            24 u64 reserved, zero
//	ints     uint64   N         int kind only: the external id of dense id v, strictly ascending
//	blob     bytes    any       string kind only: all external ids concatenated in dense order
//	offs     uint64   N+1       string kind only: id v is blob[offs[v]:offs[v+1]]; non-decreasing
//	table    uint32   2^bits    string kind only: open-addressing hash table; slot holds v+1, 0 is
//	                            empty; id k sits at the first free slot probing linearly from
//	                            Hash64(k) & (2^bits-1); at least one slot is empty (N < 2^bits)
//
// Kinds: identity means the external id of v is the decimal text of v (integer inputs whose ids are
// exactly 0..N-1); int means every external id is a canonical decimal integer (no sign, no leading
// zeros) and dense ids follow numeric order; string holds arbitrary byte strings, dense ids in order
// of first appearance in the input. Integer-looking ids with leading zeros ("007") are strings, so
// Ext returns exactly the text that was ingested.
package graph
