package store

import (
	"testing"
	"time"
)

func TestTheLockHolderIsDescribedOnce(t *testing.T) {
	since := time.Date(2026, 11, 29, 10, 2, 0, 0, time.UTC)
	tests := []struct {
		name string
		li   lockInfo
		want string
	}{
		{"plain holder", lockInfo{Holder: "procura serve", PID: 1234, Host: "h", Since: since},
			"procura serve (pid 1234 on host h since 2026-11-29 10:02)"},
		{"holder naming its process", lockInfo{Holder: "procura import (pid 4242, user alice on host x)", PID: 4242, Host: "x", Since: since},
			"procura import (pid 4242, user alice on host x) (since 2026-11-29 10:02)"},
		{"empty lock file", lockInfo{}, "another procura process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.li.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if got := decodeLockInfo(tt.li.encode()).String(); tt.li.PID != 0 && got != tt.want {
				t.Errorf("after a round trip through the file: %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMigrationsAreNumberedWithoutGapsAndExpandForEachBackend(t *testing.T) {
	for _, d := range []Dialect{duckdbDialect, postgresDialect} {
		steps, err := loadMigrations(d.Name())
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		for _, m := range steps {
			for _, st := range splitStatements(m.sql) {
				if _, err := d.expand(st); err != nil {
					t.Errorf("%s migration %d: %v", d.Name(), m.version, err)
				}
			}
		}
	}
	if _, err := duckdbDialect.expand("x {{nosuch}}"); err == nil {
		t.Error("an unknown placeholder was accepted")
	}
}
