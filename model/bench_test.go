package model

import "testing"

// Scoring throughput per model kind on one row (fixed seed data; the anchor is LogReg.Score).
func BenchmarkScore(b *testing.B) {
	m, y := xorData(4000, 1)
	lr, _, _ := FitLogReg(m, y, seq(0, 3000), LogRegOptions{})
	gb, _, _ := FitGBDT(m, y, seq(0, 3000), seq(3000, 4000), GBDTOptions{Rounds: 200, EarlyStop: 1000, Seed: 1})
	x := m.Row(17)
	b.Run("logreg", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = lr.Score(x)
		}
	})
	b.Run("gbdt200", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = gb.Score(x)
		}
	})
}

// BenchmarkFitGBDT trains 50 rounds on 20k rows x 20 features.
func BenchmarkFitGBDT(b *testing.B) {
	m, y := synth(20000, 20, 3)
	for i := 0; i < b.N; i++ {
		FitGBDT(m, y, seq(0, 20000), nil, GBDTOptions{Rounds: 50, Seed: 1})
	}
}
