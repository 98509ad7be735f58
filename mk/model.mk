# Targets of the model package (issue 6): the Tolokers figure through the CLI.

.PHONY: bench-tolokers

TOLOKERS := ../shared/data/tolokers
TOLOKERS_OUT := bench-out/tolokers

# bench-tolokers reproduces the Tolokers figure end to end from ../shared/data/tolokers with the
# product's own commands: ingest the edges, train DeepWalk embeddings (10 walks x 40, dim 64),
# compute the graph features, then `riskwalk eval` on the 10 official splits (train, val, test
# masks; label-derived columns from each split's training labels only) with the node attribute
# table, its neighbour means (--attr-neighbour-means, on by default), the graph features, the
# label-derived block and the embedding, plus the ablation over those blocks. Its last line is
# "mean AUC 0.xxxx": the test ROC-AUC of the model chosen on validation, mean over the splits.
bench-tolokers: build
	@mkdir -p $(TOLOKERS_OUT)
	$(BIN)/riskwalk ingest -q -o $(TOLOKERS_OUT)/graph.rwg $(TOLOKERS)/edges.tsv.gz
	$(BIN)/riskwalk-train --graph $(TOLOKERS_OUT)/graph.rwg --out $(TOLOKERS_OUT)/vectors.rwv --walks 10 --length 40 --dim 64 --quiet
	$(BIN)/riskwalk features -o $(TOLOKERS_OUT)/features.rwf $(TOLOKERS_OUT)/graph.rwg
	$(BIN)/riskwalk eval --graph $(TOLOKERS_OUT)/graph.rwg --features $(TOLOKERS_OUT)/features.rwf \
		--vectors $(TOLOKERS_OUT)/vectors.rwv --attributes $(TOLOKERS)/node_features.tsv --attr-by-line \
		--labels $(TOLOKERS)/labels.tsv \
		--splits $(TOLOKERS)/train_masks.tsv,$(TOLOKERS)/val_masks.tsv,$(TOLOKERS)/test_masks.tsv \
		--plots $(TOLOKERS_OUT)

bench: bench-tolokers
