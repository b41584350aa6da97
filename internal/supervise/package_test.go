package supervise

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestAnExportedPackageReadsBackAndPassesItsFixture(t *testing.T) {
	ms, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	fx, err := BuiltinFixture(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PackageBytes(m, fx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := PackageBytes(m, fx)
	if err != nil || !bytes.Equal(b, again) {
		t.Fatalf("two exports of one model differ (err %v)", err)
	}
	p, err := ReadPackage(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Model.ID != m.ID || !bytes.Equal(p.Model.Source(), m.Source()) {
		t.Fatalf("read back model %s, want %s with the same YAML", p.Model.ID, m.ID)
	}
	enc, err := EncodeFixture(p.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := DecodeFixture(enc)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		res, err := VerifyFixture(context.Background(), st, p.Model, dec, t.TempDir())
		if err != nil || !res.Passed {
			t.Fatalf("fixture after a round trip: %v %v", err, res.Problems)
		}
	})
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadPackageRefusesWhatDoesNotBelong(t *testing.T) {
	ms, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	src := string(ms[0].Source())
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no model", map[string]string{"fixture/expected.json": "{}"}, "no model.yaml"},
		{"a path outside the fixture", map[string]string{"model.yaml": src, "../evil.csv": "x"}, "only model.yaml"},
		{"a nested fixture path", map[string]string{"model.yaml": src, "fixture/a/b.csv": "x"}, "only model.yaml"},
		{"no fixture", map[string]string{"model.yaml": src}, "fixture"},
		{"not a zip", nil, "model package"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte("plain text")
			if tc.files != nil {
				b = zipOf(t, tc.files)
			}
			_, err := ReadPackage(bytes.NewReader(b), int64(len(b)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func FuzzReadPackage(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPackage(bytes.NewReader(b), int64(len(b)))
		if err == nil && (p.Model == nil || len(p.Fixture) == 0) {
			t.Fatal("a package was accepted without its model or fixture")
		}
	})
}
