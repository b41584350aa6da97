package app

import (
	"context"
	"errors"
	"testing"
)

// The engines' use cases check their permission like the import does: an auditor may read
// the audit trail but not trace money, resolve persons, run models or review clues.
func TestEngineUseCasesRefuseARoleWithoutThePermission(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	if _, err := a.AddUser(ctx, NewUser{Name: "qian", Role: RoleAuditor, Password: "auditor passphrase"}); err != nil {
		t.Fatal(err)
	}
	ws := a.cfg.Workspace
	a.Close()
	as, err := Open(ctx, Config{Workspace: ws, User: "qian", HashParams: testHash})
	if err != nil {
		t.Fatal(err)
	}
	defer as.Close()
	for name, call := range map[string]func() error{
		"trace":      func() error { _, err := as.Trace(ctx, TraceRequest{Dataset: "tx", FromAccount: "1"}); return err },
		"typologies": func() error { _, err := as.Typologies(ctx, TypologyRequest{Dataset: "tx"}); return err },
		"resolve":    func() error { _, err := as.Resolve(ctx, ResolveRequest{Dataset: "persons"}); return err },
		"model run":  func() error { _, err := as.RunModels(ctx, RunRequest{All: true}); return err },
		"review":     func() error { _, err := as.ReviewClue(ctx, 1, "confirmed", "x"); return err },
	} {
		if err := call(); !errors.Is(err, ErrForbidden) {
			t.Errorf("auditor %s = %v, want ErrForbidden", name, err)
		}
	}
}
