package linkage

import "fmt"

// Quality is the pairwise agreement of clusters with the truth: a pair of
// records is predicted when both are in one cluster, and true when both
// are the same entity.
type Quality struct {
	TruePairs, PredictedPairs, Correct int64
	Precision, Recall, F1              float64
}

// Evaluate compares clusters (per record, as in Result.Cluster) with true
// entity ids (per record; records with the same id are the same entity).
// It counts pairs through cluster × entity tallies, without enumerating
// them, so it is cheap at a million records.
func Evaluate(cluster []int32, truth []string) (Quality, error) {
	if len(cluster) != len(truth) {
		return Quality{}, fmt.Errorf("evaluate: %d clusters for %d truth ids", len(cluster), len(truth))
	}
	type cell struct {
		c int32
		e string
	}
	both := map[cell]int64{}
	byC := map[int32]int64{}
	byE := map[string]int64{}
	for i, c := range cluster {
		both[cell{c, truth[i]}]++
		byC[c]++
		byE[truth[i]]++
	}
	pairs := func(k int64) int64 { return k * (k - 1) / 2 }
	var q Quality
	for _, k := range both {
		q.Correct += pairs(k)
	}
	for _, k := range byC {
		q.PredictedPairs += pairs(k)
	}
	for _, k := range byE {
		q.TruePairs += pairs(k)
	}
	if q.PredictedPairs > 0 {
		q.Precision = float64(q.Correct) / float64(q.PredictedPairs)
	}
	if q.TruePairs > 0 {
		q.Recall = float64(q.Correct) / float64(q.TruePairs)
	}
	if q.Precision+q.Recall > 0 {
		q.F1 = 2 * q.Precision * q.Recall / (q.Precision + q.Recall)
	}
	return q, nil
}
