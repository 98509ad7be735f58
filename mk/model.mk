# Targets of the model package (issue 6): the Tolokers experiment.

.PHONY: bench-tolokers bench-tolokers-pipeline

TOLOKERS := ../shared/data/tolokers
TOLOKERS_OUT := bench-out/tolokers

# bench-tolokers reproduces the Tolokers figure from ../shared/data/tolokers over the 10 official
# splits, with the ablation (node attributes, their neighbour means, structure and training-label
# features), then the same splits through the real pipeline (bench-tolokers-pipeline). Its last
# line is "mean AUC 0.xxxx" (the model chosen on validation, mean over splits), from the full
# experiment: node attributes, neighbour means, structure, training-label features and the
# pipeline's DeepWalk embeddings.
bench-tolokers: setup bench-tolokers-pipeline
	$(GO) run ./bench/tolokers -data $(TOLOKERS) -ablation
	@echo "== the same experiment with the pipeline's DeepWalk embeddings as extra columns"
	$(BIN)/riskwalk export --format word2vec -o $(TOLOKERS_OUT)/vectors.emb $(TOLOKERS_OUT)/vectors.rwv
	awk 'NR == 1 { printf "id"; for (i = 0; i < $$2; i++) printf "\temb%d", i; print ""; next } { gsub(/ /, "\t"); print }' \
		$(TOLOKERS_OUT)/vectors.emb > $(TOLOKERS_OUT)/vectors.tsv
	$(GO) run ./bench/tolokers -data $(TOLOKERS) -extra $(TOLOKERS_OUT)/vectors.tsv

# bench-tolokers-pipeline: ingest the Tolokers edges, train DeepWalk embeddings, compute the graph
# features, then `riskwalk eval` on the official splits with attributes + graph features +
# embeddings and the ablation over those blocks.
bench-tolokers-pipeline: build
	@mkdir -p $(TOLOKERS_OUT)
	$(BIN)/riskwalk ingest -q -o $(TOLOKERS_OUT)/graph.rwg $(TOLOKERS)/edges.tsv.gz
	$(BIN)/riskwalk-train --graph $(TOLOKERS_OUT)/graph.rwg --out $(TOLOKERS_OUT)/vectors.rwv --walks 10 --length 40 --dim 64 --quiet
	$(BIN)/riskwalk features -o $(TOLOKERS_OUT)/features.rwf $(TOLOKERS_OUT)/graph.rwg
	$(BIN)/riskwalk eval --graph $(TOLOKERS_OUT)/graph.rwg --features $(TOLOKERS_OUT)/features.rwf \
		--vectors $(TOLOKERS_OUT)/vectors.rwv --attributes $(TOLOKERS)/node_features.tsv --attr-by-line \
		--labels $(TOLOKERS)/labels.tsv \
		--splits $(TOLOKERS)/train_masks.tsv,$(TOLOKERS)/val_masks.tsv,$(TOLOKERS)/test_masks.tsv \
		--plots $(TOLOKERS_OUT)
