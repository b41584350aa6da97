//go:build !unix

package supervise

import "time"

// cpuTime is not measured here; the benchmark's CPU ratio is then meaningless.
func cpuTime() time.Duration { return 0 }
