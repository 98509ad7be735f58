# Targets of the model package (issue 6): the Tolokers experiment.

.PHONY: bench-tolokers

# bench-tolokers reproduces the Tolokers figure from ../shared/data/tolokers over the 10 official
# splits, with the ablation; its last line is "mean AUC 0.xxxx" (the model chosen on validation).
bench-tolokers: setup
	$(GO) run ./bench/tolokers -data ../shared/data/tolokers -ablation
