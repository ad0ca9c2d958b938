package mse

import (
	"math"
	"math/rand/v2"
)

// Random variates and quantiles, written by hand: the standard library has
// only uniform, normal and exponential variates, and the few distributions
// the samplers need are short, well-known algorithms.

// rgamma draws from Gamma(shape, rate=1) (Marsaglia & Tsang 2000).
func rgamma(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		// Boost: Gamma(a) = Gamma(a+1) * U^(1/a).
		u := r.Float64()
		for u == 0 {
			u = r.Float64()
		}
		return rgamma(r, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x {
			return d * v
		}
		if math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// rbeta draws from Beta(a, b).
func rbeta(r *rand.Rand, a, b float64) float64 {
	x := rgamma(r, a)
	y := rgamma(r, b)
	if x+y == 0 {
		// Both underflowed (tiny shapes): fall back on the mean.
		return a / (a + b)
	}
	return x / (x + y)
}

// rpoisson draws from Poisson(mu): inversion for small means, the PTRS
// transformed rejection of Hörmann (1993) for large ones.
func rpoisson(r *rand.Rand, mu float64) int {
	if mu <= 0 {
		return 0
	}
	if mu < 10 {
		l := math.Exp(-mu)
		k := 0
		p := r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		return k
	}
	slam := math.Sqrt(mu)
	loglam := math.Log(mu)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mu + 0.43)
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -mu+k*loglam-lg {
			return int(k)
		}
	}
}

// qnorm is the standard normal quantile function.
func qnorm(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// betacf evaluates the continued fraction of the incomplete beta function
// (modified Lentz).
func betacf(a, b, x float64) float64 {
	const eps = 1e-15
	const fpmin = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < fpmin {
		d = fpmin
	}
	d = 1 / d
	h := d
	for m := 1; m <= 10000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < fpmin {
			d = fpmin
		}
		c = 1 + aa/c
		if math.Abs(c) < fpmin {
			c = fpmin
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < fpmin {
			d = fpmin
		}
		c = 1 + aa/c
		if math.Abs(c) < fpmin {
			c = fpmin
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// betainc is the regularized incomplete beta function I_x(a, b).
func betainc(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	bt := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return bt * betacf(a, b, x) / a
	}
	return 1 - bt*betacf(b, a, 1-x)/b
}

// pt is the Student t distribution function with df degrees of freedom
// (df may be fractional, as Rubin's rules produce).
func pt(t, df float64) float64 {
	x := df / (df + t*t)
	tail := 0.5 * betainc(df/2, 0.5, x)
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// qt is the Student t quantile function, by bisection on pt; for very
// large df it is the normal quantile.
func qt(p, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return qnorm(p)
	}
	lo, hi := -1.0, 1.0
	for pt(lo, df) > p {
		lo *= 2
	}
	for pt(hi, df) < p {
		hi *= 2
	}
	for i := 0; i < 200 && hi-lo > 1e-12*math.Max(1, math.Abs(hi)); i++ {
		mid := (lo + hi) / 2
		if pt(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// quantile returns the type-7 (R default) sample quantile of sorted xs.
func quantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= n {
		return sorted[n-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// rbinom draws from Binomial(n, p): inversion when n*min(p,1-p) is small,
// otherwise the BTRS transformed rejection of Hörmann (1993).
func rbinom(r *rand.Rand, n int, p float64) int {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - rbinom(r, n, 1-p)
	}
	q := 1 - p
	fn := float64(n)
	if fn*p < 10 {
		s := p / q
		a := (fn + 1) * s
		pr := math.Pow(q, fn)
		u := r.Float64()
		x := 0
		for u > pr {
			u -= pr
			x++
			if x > n {
				// Rounding in the recurrence: restart.
				x = 0
				u = r.Float64()
				pr = math.Pow(q, fn)
				continue
			}
			pr *= a/float64(x) - s
		}
		return x
	}
	spq := math.Sqrt(fn * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := fn*p + 0.5
	alpha := (2.83 + 5.1/b) * spq
	vr := 0.92 - 4.2/b
	m := math.Floor((fn + 1) * p)
	lpq := math.Log(p / q)
	lm, _ := math.Lgamma(m + 1)
	lnm, _ := math.Lgamma(fn - m + 1)
	h := lm + lnm
	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > fn {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		v = math.Log(v * alpha / (a/(us*us) + b))
		lk, _ := math.Lgamma(k + 1)
		lnk, _ := math.Lgamma(fn - k + 1)
		if v <= h-lk-lnk+(k-m)*lpq {
			return int(k)
		}
	}
}
