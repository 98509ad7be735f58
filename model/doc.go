// Package model fits, evaluates, explains and stores riskwalk's risk models.
//
// Inputs are dense design matrices (Matrix: row-major float64 with named columns) built from node
// attributes, graph features and embeddings, and labels ([]bool, true = bad). Two model families:
//
//   - LogReg: L2-regularised logistic regression with class weights on standardised features
//     (Standardizer fitted on training rows only), solved by L-BFGS to a gradient tolerance. Every
//     score splits exactly into per-feature contributions W_j z_j.
//   - GBDT: histogram-based gradient-boosted trees for log-loss, leaf-wise growth, row and column
//     subsampling with a seed, early stopping on validation rows, Saabas path contributions.
//
// Model wraps either for serialisation (model.json, see file.go for the format drawn out) and for
// the zero-allocation fast path Model.Score(x). Metrics (ROC-AUC, PR-AUC, KS, precision/recall at
// top k, confusion, thresholds at target false-positive rates, PSI) take scores and labels and
// treat tied scores as one threshold. Splits come from StratifiedKFold or from given mask files
// (ReadSplits). ROCPlotSVG and ScoreHistSVG draw evaluation plots.
//
// Label hygiene is the caller's contract: every label-derived feature in the matrix handed to a fit
// must be computed from that split's training labels only.
package model
