//go:build windows

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

var errLocked = errors.New("locked by another process")

// lockRegion returns the byte range that is locked. Windows locks are
// mandatory, so the range lies far past the holder description (at 4 GiB)
// to keep that readable for the error message.
func lockRegion() *windows.Overlapped { return &windows.Overlapped{OffsetHigh: 1} }

// tryLockFile takes an exclusive lock without waiting; Windows drops it when
// the handle closes or the process dies.
func tryLockFile(f *os.File) error {
	ol := lockRegion()
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return errLocked
	}
	return err
}

func unlockFile(f *os.File) error {
	ol := lockRegion()
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}
