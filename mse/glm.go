package mse

import (
	"errors"
	"fmt"
	"math"
)

// A hand-written Poisson GLM (log link, offset) fitted by iteratively
// reweighted least squares, as R's glm.fit does: the models here have at
// most a few dozen parameters, and matching R's convergence rule and
// starting values is what makes the published figures reproducible.

// errRank reports a design matrix that is not of full column rank.
var errRank = errors.New("design matrix is not of full rank")

// poissonFit is the result of fitting y ~ Poisson(exp(offset + X b)).
type poissonFit struct {
	coef      []float64   // b, intercept first
	cov       [][]float64 // (X'WX)^-1 at the fit
	mu        []float64
	deviance  float64
	loglik    float64
	iter      int
	converged bool
}

// glmPoisson fits the model. x holds the rows without the intercept column,
// which is added. maxit bounds the iterations (R's default is 25, Rcapture
// uses 200).
func glmPoisson(y []float64, x [][]float64, offset []float64, maxit int) (*poissonFit, error) {
	n := len(y)
	if n == 0 {
		return nil, errors.New("no cells to fit")
	}
	p := 1
	if len(x) > 0 {
		p += len(x[0])
	}
	if p > n {
		return nil, fmt.Errorf("%d parameters for %d cells: %w", p, n, errRank)
	}
	row := func(i int, dst []float64) {
		dst[0] = 1
		copy(dst[1:], x[i])
	}
	off := func(i int) float64 {
		if offset == nil {
			return 0
		}
		return offset[i]
	}
	mu := make([]float64, n)
	eta := make([]float64, n)
	for i := range y {
		mu[i] = y[i] + 0.1 // R's poisson()$initialize
		eta[i] = math.Log(mu[i])
	}
	devOld := poissonDeviance(y, mu)
	xtwx := make([][]float64, p)
	for i := range xtwx {
		xtwx[i] = make([]float64, p)
	}
	xtwz := make([]float64, p)
	r := make([]float64, p)
	fit := &poissonFit{}
	var coef []float64
	var lastL [][]float64
	for it := 1; it <= maxit; it++ {
		for i := range xtwx {
			clear(xtwx[i])
		}
		clear(xtwz)
		for i := 0; i < n; i++ {
			w := mu[i]
			z := eta[i] - off(i) + (y[i]-mu[i])/mu[i]
			row(i, r)
			for a := 0; a < p; a++ {
				wa := w * r[a]
				if wa == 0 {
					continue
				}
				xtwz[a] += wa * z
				for b := 0; b <= a; b++ {
					xtwx[a][b] += wa * r[b]
				}
			}
		}
		for a := 0; a < p; a++ {
			for b := 0; b < a; b++ {
				xtwx[b][a] = xtwx[a][b]
			}
		}
		l, err := cholesky(xtwx)
		if err != nil {
			return nil, err
		}
		lastL = l
		coef = cholSolve(l, xtwz)
		for i := 0; i < n; i++ {
			row(i, r)
			e := off(i)
			for a := 0; a < p; a++ {
				e += r[a] * coef[a]
			}
			eta[i] = e
			mu[i] = math.Exp(e)
		}
		dev := poissonDeviance(y, mu)
		fit.iter = it
		if math.IsNaN(dev) || math.IsInf(dev, 0) {
			return nil, errors.New("fit diverged")
		}
		// R's glm.control: |dev - devold| / (|dev| + 0.1) < 1e-8.
		if math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < 1e-8 {
			fit.converged = true
			break
		}
		devOld = dev
	}
	// Covariance from the weights of the last iteration, as R's glm.fit
	// reports it (its QR is that of the last weighted least squares); the
	// last Cholesky factor is exactly that.
	fit.cov = cholInverse(lastL)
	fit.coef = coef
	fit.mu = mu
	fit.deviance = poissonDeviance(y, mu)
	fit.loglik = poissonLoglik(y, mu)
	return fit, nil
}

func poissonDeviance(y, mu []float64) float64 {
	d := 0.0
	for i := range y {
		if y[i] > 0 {
			d += y[i]*math.Log(y[i]/mu[i]) - (y[i] - mu[i])
		} else {
			d += mu[i]
		}
	}
	return 2 * d
}

// poissonLoglik is sum log dpois(y, mu), as R's poisson()$aic uses.
func poissonLoglik(y, mu []float64) float64 {
	ll := 0.0
	for i := range y {
		lg, _ := math.Lgamma(y[i] + 1)
		if y[i] > 0 {
			ll += y[i]*math.Log(mu[i]) - mu[i] - lg
		} else {
			ll -= mu[i]
		}
	}
	return ll
}

// cholesky factors a symmetric positive definite matrix as L L'. A pivot
// that is tiny relative to the diagonal means a rank-deficient design.
func cholesky(a [][]float64) ([][]float64, error) {
	p := len(a)
	l := make([][]float64, p)
	for i := range l {
		l[i] = make([]float64, p)
	}
	for j := 0; j < p; j++ {
		s := a[j][j]
		for k := 0; k < j; k++ {
			s -= l[j][k] * l[j][k]
		}
		if !(s > 1e-10*math.Max(a[j][j], 1e-300)) {
			return nil, fmt.Errorf("column %d: %w", j, errRank)
		}
		l[j][j] = math.Sqrt(s)
		for i := j + 1; i < p; i++ {
			s := a[i][j]
			for k := 0; k < j; k++ {
				s -= l[i][k] * l[j][k]
			}
			l[i][j] = s / l[j][j]
		}
	}
	return l, nil
}

func cholSolve(l [][]float64, b []float64) []float64 {
	p := len(l)
	z := make([]float64, p)
	for i := 0; i < p; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i][k] * z[k]
		}
		z[i] = s / l[i][i]
	}
	x := make([]float64, p)
	for i := p - 1; i >= 0; i-- {
		s := z[i]
		for k := i + 1; k < p; k++ {
			s -= l[k][i] * x[k]
		}
		x[i] = s / l[i][i]
	}
	return x
}

func cholInverse(l [][]float64) [][]float64 {
	p := len(l)
	inv := make([][]float64, p)
	e := make([]float64, p)
	for j := 0; j < p; j++ {
		clear(e)
		e[j] = 1
		col := cholSolve(l, e)
		for i := 0; i < p; i++ {
			if inv[i] == nil {
				inv[i] = make([]float64, p)
			}
			inv[i][j] = col[i]
		}
	}
	return inv
}
