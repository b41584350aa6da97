package supervise

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"procura/models"
)

// LoadLibrary parses every *.yaml model at the root of fsys, sorted by id.
func LoadLibrary(fsys fs.FS) ([]*Model, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*Model
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		m, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if want := m.ID + ".yaml"; path.Base(n) != want {
			return nil, fmt.Errorf("%s: holds model %s; name the file %s", n, m.ID, want)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Builtins returns the built-in models embedded in the binary.
func Builtins() ([]*Model, error) { return LoadLibrary(models.Files()) }

// BuiltinFixture returns the fixture directory of built-in model id.
func BuiltinFixture(id string) (fs.FS, error) {
	sub, err := fs.Sub(models.Files(), "testdata/"+id)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "expected.json"); err != nil {
		return nil, fmt.Errorf("built-in model %s has no fixture", id)
	}
	return sub, nil
}
