package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// lockFileName is the file whose flock marks a DuckDB workspace as owned.
const lockFileName = "procura.lock"

// workspaceLock is an exclusive advisory lock on <workspace>/procura.lock.
// The kernel drops it when the process dies, so a lock file left behind by a
// crashed process never blocks the next one.
type workspaceLock struct {
	f *os.File
}

// lockInfo is what the lock file says about its holder.
type lockInfo struct {
	Holder string
	PID    int
	Host   string
	Since  time.Time
}

func (li lockInfo) String() string {
	holder := li.Holder
	if holder == "" {
		holder = "another procura process"
	}
	var parts []string
	// A holder such as "procura import (pid 4242, user alice on host x)"
	// names its process already.
	named := strings.Contains(holder, "(pid ")
	if li.PID > 0 && !named {
		parts = append(parts, "pid "+strconv.Itoa(li.PID))
	}
	if li.Host != "" && !named {
		parts = append(parts, "on host "+li.Host)
	}
	if !li.Since.IsZero() {
		parts = append(parts, "since "+li.Since.Format("2006-01-02 15:04"))
	}
	if len(parts) == 0 {
		return holder
	}
	return holder + " (" + strings.Join(parts, " ") + ")"
}

func (li lockInfo) encode() []byte {
	return []byte(fmt.Sprintf("holder: %s\npid: %d\nhost: %s\nsince: %s\n",
		oneLine(li.Holder), li.PID, oneLine(li.Host), li.Since.Format(time.RFC3339)))
}

func decodeLockInfo(b []byte) lockInfo {
	var li lockInfo
	for _, line := range strings.Split(string(b), "\n") {
		key, value, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch key {
		case "holder":
			li.Holder = value
		case "pid":
			li.PID, _ = strconv.Atoi(value)
		case "host":
			li.Host = value
		case "since":
			li.Since, _ = time.Parse(time.RFC3339, value)
		}
	}
	return li
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// acquireLock takes the workspace lock or returns ErrWorkspaceHeld naming the
// holder. tz is the zone the holder's start time is shown in.
func acquireLock(dir, holder string, tz *time.Location) (*workspaceLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open workspace lock %s: %w", path, err)
	}
	if err := tryLockFile(f); err != nil {
		content, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errLocked) {
			li := decodeLockInfo(content)
			if !li.Since.IsZero() {
				li.Since = li.Since.In(tz)
			}
			return nil, userError(ErrWorkspaceHeld, "workspace %s is in use by %s: stop it or use its server", dir, li)
		}
		return nil, fmt.Errorf("lock workspace %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	li := lockInfo{Holder: holder, PID: os.Getpid(), Host: host, Since: time.Now()}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(li.encode(), 0)
		if err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		unlockFile(f)
		f.Close()
		return nil, fmt.Errorf("write workspace lock %s: %w", path, err)
	}
	return &workspaceLock{f: f}, nil
}

// release drops the lock. The file stays: removing it would let a process
// that opened the old file and one that creates a new file both hold "the" lock.
func (l *workspaceLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
