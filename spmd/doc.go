// Package spmd is riskwalk's distributed DeepWalk trainer: the logic one MPI rank runs under
// `mpirun -np R riskwalk-train --partition parts.rwp ...` (cmd/riskwalk-train only parses flags
// and calls Run).
//
// # What a rank holds
//
// Every rank maps the whole graph file but keeps only its part (BuildPart): the nodes it owns in
// the partition (package partition) with all their arcs, and the partition's replicas of that part
// (every other node adjacent to an owned node) with the arcs the Halo rule keeps. Local ids are
// owned nodes, then replicas, then (HaloVisit only) the V remote nodes the rank's walks visit,
// then S sampled remote nodes (SampleRemote; negatives only, no arcs), then one padding row;
// model row = local id, initialised by global id, so every copy of a node starts equal. Per-rank
// memory is O(owned + replicas + V + S) rows and O(local arcs), never O(N), except rank 0's
// final N x Dim matrix (see below) and, under HaloThrough and HaloVisit, an N-entry row map.
//
// # Walks and training
//
// Owner computes: walks start only at owned nodes (trainer.Job.Starts), so the job's corpus is
// the one-process corpus split by owner. A walk that steps onto a replica continues there with
// the replica's arcs: under HaloStay only arcs to held nodes, so the walk keeps its
// length but stays inside owned ∪ replicas; under HaloStop all arcs, those to nodes not held
// leading to a sentinel where the walk ends; under HaloThrough the rank walks the whole mapped
// graph and drops the tokens of nodes it does not hold, so its corpus is exactly the held-row part
// of the one-process corpus; under HaloVisit it walks the whole graph too but holds every node its
// walks visit (FindVisited replays the walks before training; the extra rows are synced like
// replicas), so it trains, token for token, the one-process corpus's walks that start at its
// owned nodes. On a planted 8-block graph (TestDistTrain's kind) stop cut 30% of the tokens and
// halved the block margin; stay matched one rank. On a 1M-node graph stay left cosine
// link-prediction AUC 1 point under one process, boundary nodes' pairs carrying the gap
// (bench/RESULTS.md, dist rounds 4 and 5); visit matched one process within 0.1 point, each
// rank holding a row for every node. riskwalk-train's default is HaloVisit (--halo visit), with
// Options.VisitRows (--visit-rows) to bound its extra rows and HaloStay to bound a rank's rows
// to its part and replicas. Inside a rank the trainer runs Hogwild on all its threads.
//
// Negatives and subsampling use job-wide corpus counts: each rank counts its walks
// (trainer.CountVisits; under HaloVisit the counts of FindVisited's replay, rowCounts),
// GlobalCounts sums them at the owners and sends totals to the replicas.
// The negative table holds owned and replica rows by c^0.75 and the S sampled remote rows each with
// weight W_rem/S, the rest of the graph's c^0.75 mass (countsVocab), so a rank of a community
// partition still pushes its nodes away from other parts' nodes.
//
// # Replica sync
//
// The job is cut into sync rounds: SyncEvery work units of the rank with the most units, the
// other ranks doing the same share of theirs. After each round every rank stops training and
// Sync runs two Alltoallv exchanges of row values (no ids: the Plan, built from the partition on
// every rank, fixes the order): replica holders push In and Out deltas since the last sync to the
// owners, who add them (MergeSum; MergeAvg takes the mean of the copies that changed, which
// measured far worse: it halves the progress of rows both ranks train), then owners send the
// rows back. Exchanges are split into pieces of at most 16M elements. One Allgather of counters
// per round gives rank 0 the job-wide tokens/s and sync bytes for its progress line, and every
// rank each rank's units left and speed for the next round's shares.
//
// # Adaptive rounds
//
// With Options.Adaptive (riskwalk-train --adaptive, the default) ranks do not wait for each other
// at a sync: one that arrives first opens a nonblocking barrier (mpi.Fence) and trains its next
// round's units until all have arrived, and after each sync the ranks that would reach the next
// sync late hand their round's last units to ranks that would be early (planShares; under
// HaloVisit, whose walks follow the whole graph). On this 2-core VM one vCPU is often slower for
// a whole run and the other rank waited 0.3-1.9 s of 8-11 s at the syncs; adaptive, 0.01-0.06 s.
// A rank's done units at a sync are still a prefix of its own, so checkpoints record that cursor
// (up to one round past the round's bound). Which units a rank has done at a sync depends on
// timing, so only --adaptive=false gives bit-identical vectors on one thread per rank.
//
// By default a sync moves only what changed (Sync.UseDirty): the trainer marks, in two bitsets
// over the rank's rows (trainer.Job.DirtyIn, DirtyOut), every row whose In half (tokens of the
// rank's walks) or Out half (those tokens and every negative drawn) it may have changed since
// the last sync. The push sends each owner a bitmap of the marked halves of its pair list (two
// bits per row, in the Plan's order, so still no ids) and then their deltas; the owner adds them
// and marks what it received, and the pull returns every marked half of an exported row. A half
// no copy touched is equal on every holder already, so the vectors are those of a full sync
// (TestDistDirtySync, bit for bit on one thread per rank). Rows held only as negatives (Extra)
// move an Out half at most (visited rows, in the rank's walks, move both); on sparse graphs most
// replicas move nothing in a round.
// --sync-rows all restores the full exchange.
//
// # Start-up checks and failures
//
// The ranks Allgather (graph checksum, partition checksum, parameter hash) and refuse to start if
// any differs from rank 0's, naming the rank and the value. Every later step that can fail on one
// rank is followed by a collective agreement, so all ranks return the same error and the job ends
// with MPI_Finalize (Agreed); other failures abort the job (MPI_Abort). A rank killed outright makes
// mpirun end the job (about 1 s here).
//
// # Checkpoints
//
// With CheckpointEvery, rank 0 decides at a sync (through the round's Allgather) that every rank
// writes its model (trainer.WriteCheckpoint, .rwc) to RankCheckpoint(base, rank, slot) with slot =
// round mod 2; after all ranks report success rank 0 writes the manifest at base naming the round
// and slot. A crash mid-checkpoint leaves the previous round's slot and manifest intact. Resume:
// rank 0 reads the manifest and broadcasts it; each rank loads its slot, checks units, sizes,
// graph and parameters, and an Allreduce of min and max of the round every rank loaded must agree.
// A checkpoint is taken right after a sync, when every replica equals its owner's row, so resuming
// with one thread per rank and --adaptive=false gives the uninterrupted run's vectors bit for bit
// (TestDistKillResume; adaptive, each rank resumes at its own cursor).
//
// The manifest is a secfile container (package internal/secfile: header, section table, 64-byte
// aligned sections, CRC32C each) with magic "RWSPMD\0\0", version ManifestV1, and two sections,
// little-endian:
//
//	"meta"   64 bytes:
//	            0  8  round: sync rounds done (the next round to run)
//	            8  8  rounds of the job
//	           16  4  ranks
//	           20  4  slot (0 or 1) of the rank checkpoint files
//	           24  8  graph checksum (graph.File.Checksum)
//	           32  8  partition checksum (PartitionChecksum)
//	           40  8  parameter hash (FNV-1a of the options that must match)
//	           48 16  zero
//	"units"  ranks x uint64: work units each rank had done at that round
//
// # Output
//
// Rank 0 receives every rank's owned In rows (Send/Recv in messages of about 16 MiB, in Owned
// order, so no ids travel), places them at their global ids and writes the vector file with
// vecfile.Write, the same format as one-process training. This needs N x Dim floats on rank 0; a
// streaming vecfile writer would remove that limit.
package spmd
