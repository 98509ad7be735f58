package main

import (
	"flag"
	"runtime"

	"riskwalk/trainer"
	"riskwalk/walk"
)

// modelFlags registers the flags that shape walks and training. The one-process path (runTrain)
// and the SPMD path (runDist) both use it, so their names, defaults and meanings cannot drift
// apart. After fs.Parse, finish applies the flags that are not bound directly (--sample 0 turns
// subsampling off, --per-pair) and returns the walk configuration (Length left for the caller).
func modelFlags(fs *flag.FlagSet, c *trainer.Config) (finish func() walk.Config) {
	fs.IntVar(&c.WalksPerNode, "walks", 80, "walks started at every node (DeepWalk's gamma)")
	fs.IntVar(&c.WalkLength, "length", 40, "nodes per walk (DeepWalk's t)")
	fs.IntVar(&c.Dim, "dim", 128, "vector dimension")
	fs.IntVar(&c.Window, "window", 10, "skip-gram window")
	fs.IntVar(&c.Negative, "negative", 5, "negative samples per pair")
	fs.IntVar(&c.Epochs, "epochs", 1, "passes over the walks")
	fs.Float64Var(&c.Alpha, "lr", 0.05, "initial learning rate, decaying linearly to --min-lr (word2vec's is 0.025; 0.05 trains short runs such as 10 walks much better)")
	fs.Float64Var(&c.MinAlpha, "min-lr", 0, "final learning rate (0: lr*1e-4)")
	sample := fs.Float64("sample", 1e-3, "subsampling threshold of frequent nodes (word2vec -sample; 0: off)")
	fs.IntVar(&c.Threads, "threads", runtime.GOMAXPROCS(0), "worker threads (per rank under mpirun; 1 with --seed is bit-reproducible in one process)")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed")
	fs.IntVar(&c.ChunkWalks, "chunk", 64, "walks per work unit (walks in flight per thread)")
	fs.BoolVar(&c.HogBatch, "hogbatch", true, "share negatives among a centre's contexts (pWord2Vec's HogBatch; the default: same quality as per-pair on BlogCatalog, ~1.4x faster per CPU-second)")
	perPair := fs.Bool("per-pair", false, "word2vec's per-pair update (the reference; same as --hogbatch=false)")
	weighted := fs.Bool("weighted", false, "follow edge weights")
	halfLife := fs.Duration("half-life", 0, "time-aware walks: an edge's weight halves per half-life of age (e.g. 168h)")
	hubCap := fs.Uint("hub-cap", 0, "down-weight edges into nodes of degree > K by K/degree (0: off)")
	return func() walk.Config {
		if *perPair {
			c.HogBatch = false
		}
		c.Sample = *sample
		if c.Sample == 0 {
			c.Sample = -1 // Config: negative means off
		}
		return walk.Config{Weighted: *weighted, HalfLife: halfLife.Seconds(), HubCap: uint32(*hubCap)}
	}
}
