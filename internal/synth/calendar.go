package synth

import "math/rand/v2"

// dayStarts returns, for sorted times t(0…n−1), the first index of every day; entries before
// the year fall into day 0 and entries after it past the last day.
func dayStarts(n int, t func(int) int64) []int {
	out := make([]int, numDays+1)
	i := 0
	for d := 0; d <= numDays; d++ {
		for d > 0 && i < n && t(i) < int64(d)*day {
			i++
		}
		out[d] = i
	}
	return out
}

// seedDay seeds a day's generator: each day has its own stream, so days are drawn in parallel
// and in any order with the same result.
func seedDay(pcg *rand.PCG, seed int64, stream uint64, d int) {
	pcg.Seed(uint64(seed), (stream<<16|uint64(d+1))*0x9E3779B97F4A7C15)
}

// cumulativeByWeekday spreads total over the year with quieter weekends.
func cumulativeByWeekday(total int64) []int64 {
	weights := make([]float64, numDays)
	sum := 0.0
	for d := range weights {
		wd := (d + 1) % 7 // 2024-01-01 was a Monday: wd 6 and 0 are Saturday and Sunday
		weights[d] = 1
		if wd == 6 || wd == 0 {
			weights[d] = 0.8
		}
		sum += weights[d]
	}
	out := make([]int64, numDays)
	acc := 0.0
	for d, x := range weights {
		acc += x
		out[d] = int64(float64(total) * acc / sum)
	}
	return out
}

// dayTime draws a time of day: mostly waking hours.
func dayTime(r *rand.Rand, d int) int64 {
	base := int64(d) * day
	if r.IntN(20) == 0 {
		return base + int64(r.IntN(7*3600))
	}
	return base + 7*3600 + int64(r.IntN(17*3600))
}
