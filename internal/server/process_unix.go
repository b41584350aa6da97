//go:build !windows

package server

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this id exists (signal 0 checks, sends nothing;
// EPERM means it exists but belongs to someone else).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
