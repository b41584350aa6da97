package server

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ServeFileName is the file a running server writes into its workspace, so that the command
// line finds it: a command that would change the workspace names the server (or, with an API
// token, sends it the work) instead of only saying that the workspace is in use.
const ServeFileName = "serve.json"

// ServeInfo is the content of <workspace>/serve.json.
type ServeInfo struct {
	Address   string    `json:"address"` // host:port as listened on
	Scheme    string    `json:"scheme"`  // http or https
	URL       string    `json:"url"`     // where a client on this machine reaches the server
	PID       int       `json:"pid"`
	StartedAt time.Time `json:"started_at"`
}

// writeServeFile records the listening server in the workspace (mode 0600: the address is for
// the workspace's owner) and returns the function that removes it again.
func writeServeFile(workspace string, addr net.Addr, scheme string) (func(), error) {
	info := ServeInfo{Address: addr.String(), Scheme: scheme, URL: scheme + "://" + clientAddress(addr),
		PID: os.Getpid(), StartedAt: time.Now().UTC()}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(workspace, ServeFileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return func() {
		// Remove only our own file: a later server of the same workspace may have replaced it.
		if cur, ok := readServeFile(path); ok && cur.PID == info.PID {
			os.Remove(path)
		}
	}, nil
}

// clientAddress is the address a client on this machine dials: a server listening on every
// interface (0.0.0.0, ::) is reached on the loopback address.
func clientAddress(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

// ReadServeFile reads the serve.json of workspace. A file left behind by a server that is no
// longer running (its process is gone) is ignored: ok is false.
func ReadServeFile(workspace string) (ServeInfo, bool) {
	info, ok := readServeFile(filepath.Join(workspace, ServeFileName))
	if !ok || !processAlive(info.PID) {
		return ServeInfo{}, false
	}
	return info, true
}

func readServeFile(path string) (ServeInfo, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return ServeInfo{}, false
	}
	var info ServeInfo
	if err := json.Unmarshal(b, &info); err != nil || info.URL == "" || info.PID <= 0 {
		return ServeInfo{}, false
	}
	return info, true
}
