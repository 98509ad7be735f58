package main

import "errors"

// runTrain parses the training flags and runs training (filled in by the trainer).
func runTrain(args []string) error { return errors.New("training is not built yet") }
