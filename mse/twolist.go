package mse

import (
	"errors"
	"math"
)

// TwoList is a two-list (dual-system) estimate.
type TwoList struct {
	N, SE float64
}

// twoListCounts returns n1 (on list 1), n2 (on list 2) and m (on both).
func twoListCounts(t Table) (n1, n2, m float64, err error) {
	if len(t.Lists) != 2 {
		return 0, 0, 0, errors.New("two-list estimators need exactly 2 lists")
	}
	for _, c := range t.Cells {
		if c.Pattern.Has(0) {
			n1 += float64(c.Count)
		}
		if c.Pattern.Has(1) {
			n2 += float64(c.Count)
		}
		if c.Pattern == 3 {
			m += float64(c.Count)
		}
	}
	return n1, n2, m, nil
}

// LincolnPetersen is n1 n2 / m with the standard error
// sqrt(n1 n2 (n1-m)(n2-m) / m^3). It is undefined without overlap.
func LincolnPetersen(t Table) (TwoList, error) {
	n1, n2, m, err := twoListCounts(t)
	if err != nil {
		return TwoList{}, err
	}
	if m == 0 {
		return TwoList{}, errors.New("Lincoln-Petersen: the lists do not overlap")
	}
	return TwoList{
		N:  n1 * n2 / m,
		SE: math.Sqrt(n1 * n2 * (n1 - m) * (n2 - m) / (m * m * m)),
	}, nil
}

// Chapman is the bias-corrected (n1+1)(n2+1)/(m+1) - 1 with Seber's
// variance (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)^2 (m+2)).
func Chapman(t Table) (TwoList, error) {
	n1, n2, m, err := twoListCounts(t)
	if err != nil {
		return TwoList{}, err
	}
	return TwoList{
		N:  (n1+1)*(n2+1)/(m+1) - 1,
		SE: math.Sqrt((n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) * (m + 1) * (m + 2))),
	}, nil
}
