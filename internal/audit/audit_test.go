package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func openLog(t testing.TB, st *store.Store, every int64) *Log {
	t.Helper()
	l, err := Open(st, Options{CheckpointEvery: every})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func appendN(t testing.TB, l *Log, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		_, err := l.Append(ctx, Event{Actor: "officer" + fmt.Sprint(i%3), Action: "clue.transition", ObjectType: "clue",
			ObjectID: fmt.Sprint(i), CaseID: fmt.Sprintf("case-%d", i%2),
			Old: map[string]any{"status": "new"}, New: map[string]any{"status": "assigned", "to": "张三"}})
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

func mustVerify(t *testing.T, l *Log) Report {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func TestAnUntouchedChainVerifiesWithItsCheckpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := openLog(t, st, 10)
		appendN(t, l, 25)
		rep := mustVerify(t, l)
		if !rep.OK || rep.Entries != 25 || rep.CheckedCheckpoints != 2 || rep.LastCheckpoint != 20 || rep.Unsigned != 5 {
			t.Fatalf("report = %+v, want OK, 25 entries, checkpoints at 10 and 20, 5 unsigned", rep)
		}
		if rep.First != nil {
			t.Fatalf("first break = %+v on an untouched chain", rep.First)
		}
	})
}

func TestAnEmptyChainVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rep := mustVerify(t, openLog(t, st, 10))
		if !rep.OK || rep.Entries != 0 {
			t.Fatalf("report = %+v, want OK with no entries", rep)
		}
	})
}

func TestEntriesReadBackAsWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := openLog(t, st, 100)
		ctx := context.Background()
		in := Event{Actor: "李四", Action: "evidence.exported", ObjectType: "evidence", ObjectID: "7", CaseID: "C-1",
			Old: nil, New: json.RawMessage(`{"to": "court", "a": [1, 2.50, "x<y"]}`)}
		e, err := l.Append(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.Entries(ctx, Filter{CaseID: "C-1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d entries for case C-1, want 1", len(got))
		}
		g := got[0]
		if g.Hash != e.Hash || g.Actor != "李四" || string(g.New) != `{"a":[1,2.50,"x<y"],"to":"court"}` || string(g.Old) != "null" || !g.At.Equal(e.At) {
			t.Fatalf("read back %+v (new %s), wrote %+v", g, g.New, e)
		}
		if none, _ := l.Entries(ctx, Filter{CaseID: "C-2"}); len(none) != 0 {
			t.Fatalf("case C-2 selected %d entries, want none", len(none))
		}
		if byPrefix, _ := l.Entries(ctx, Filter{Action: "evidence"}); len(byPrefix) != 1 {
			t.Fatalf("action prefix evidence selected %d entries, want 1", len(byPrefix))
		}
	})
}

// tamper changes the stored chain the way an attacker with database access could.
type tamper struct {
	name     string
	do       func(t *testing.T, st *store.Store, l *Log)
	seq      int64
	kind     string
	inReason string
}

func exec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := st.DB().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func entries(t *testing.T, st *store.Store) []store.AuditEntry {
	t.Helper()
	es, err := st.AuditEntries(context.Background(), store.AuditFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func writeEntry(t *testing.T, st *store.Store, seq int64, e store.AuditEntry) {
	exec(t, st, `UPDATE audit_log SET logged_at = $2, actor = $3, action = $4, object_type = $5, object_id = $6, case_id = $7,
		old_json = $8, new_json = $9, prev_hash = $10, hash = $11 WHERE seq = $1`,
		seq, e.At, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.CaseID, e.OldJSON, e.NewJSON, e.PrevHash, e.Hash)
}

var tampers = []tamper{
	{name: "a field of one entry is changed", seq: 13, kind: BreakAltered, inReason: "entry 13",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			exec(t, st, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 13`)
		}},
	{name: "an old value is changed", seq: 4, kind: BreakAltered, inReason: "altered",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			exec(t, st, `UPDATE audit_log SET old_json = '{"status":"confirmed"}' WHERE seq = 4`)
		}},
	{name: "an entry is deleted", seq: 7, kind: BreakMissing, inReason: "entry 7 is missing",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			exec(t, st, `DELETE FROM audit_log WHERE seq = 7`)
		}},
	{name: "two entries are swapped", seq: 15, kind: BreakUnlinked, inReason: "does not follow entry 14",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			es := entries(t, st)
			a, b := es[14], es[15] // seq 15 and 16
			writeEntry(t, st, 15, b)
			writeEntry(t, st, 16, a)
		}},
	{name: "an entry is rewritten and re-hashed with every later one", seq: 10, kind: BreakCheckpoint, inReason: "does not match the chain",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			es := entries(t, st)
			prev := es[1].Hash
			for i := 2; i < len(es); i++ { // from seq 3 on
				e := es[i]
				if e.Seq == 3 {
					e.NewJSON = `{"status":"dismissed"}`
				}
				e.PrevHash = prev
				e.Hash = HashEntry(e)
				writeEntry(t, st, e.Seq, e)
				prev = e.Hash
			}
		}},
	{name: "a checkpoint's signature is altered", seq: 20, kind: BreakCheckpoint, inReason: "signature does not verify",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			cps, _ := st.AuditCheckpoints(context.Background())
			sig, _ := base64.StdEncoding.DecodeString(cps[1].Signature)
			sig[0] ^= 1
			exec(t, st, `UPDATE audit_checkpoints SET signature = $2 WHERE seq = $1`, cps[1].Seq, base64.StdEncoding.EncodeToString(sig))
		}},
	{name: "a checkpoint is forged with another key", seq: 5, kind: BreakCheckpoint, inReason: "not this workspace's key",
		do: func(t *testing.T, st *store.Store, l *Log) {
			_, other, _ := ed25519.GenerateKey(rand.Reader)
			forger := &Log{key: other}
			es := entries(t, st)
			cp := forger.sign(5, es[4].Hash, time.Now().UTC().Truncate(time.Microsecond))
			exec(t, st, `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
				cp.Seq, cp.Hash, cp.At, cp.KeyID, cp.PublicKey, cp.Signature)
		}},
	{name: "the newest entries are deleted past a checkpoint", seq: 20, kind: BreakTruncated, inReason: "entries 20 to 20 are missing",
		do: func(t *testing.T, st *store.Store, _ *Log) {
			exec(t, st, `DELETE FROM audit_log WHERE seq >= 20`)
		}},
}

func TestTamperingIsReportedAtTheFirstBrokenEntry(t *testing.T) {
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				l := openLog(t, st, 10)
				appendN(t, l, 25)
				if rep := mustVerify(t, l); !rep.OK {
					t.Fatalf("chain broken before tampering: %+v", rep.First)
				}
				tc.do(t, st, l)
				rep := mustVerify(t, l)
				if rep.OK || rep.First == nil {
					t.Fatalf("tampering went unnoticed: %+v", rep)
				}
				if rep.First.Seq != tc.seq || rep.First.Kind != tc.kind || !strings.Contains(rep.First.Reason, tc.inReason) {
					t.Fatalf("first break = %+v, want seq %d kind %s with %q in the reason", *rep.First, tc.seq, tc.kind, tc.inReason)
				}
			})
		})
	}
}

func TestConcurrentAppendsFormOneUnbrokenChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const writers, each = 4, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			// A Log each, as separate processes would have.
			l := openLog(t, st, 7)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if _, err := l.Append(context.Background(), Event{Actor: fmt.Sprintf("w%d", w), Action: "test.append", ObjectType: "test", ObjectID: fmt.Sprint(i)}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent Append: %v", err)
		}
		rep := mustVerify(t, openLog(t, st, 7))
		if !rep.OK || rep.Entries != writers*each {
			t.Fatalf("report = %+v (first break %+v), want %d entries in one chain", rep, rep.First, writers*each)
		}
		if rep.CheckedCheckpoints != writers*each/7 {
			t.Fatalf("%d checkpoints, want one per 7 entries (%d)", rep.CheckedCheckpoints, writers*each/7)
		}
	})
}

func TestAFailedTransactionLeavesNoEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := openLog(t, st, 10)
		ctx := context.Background()
		_, err := l.Do(ctx, func(tx *store.Tx, rec *Recorder) error {
			if _, err := rec.Append(ctx, Event{Actor: "a", Action: "x.y", ObjectType: "z"}); err != nil {
				return err
			}
			return fmt.Errorf("the change it records failed")
		})
		if err == nil {
			t.Fatal("Do returned no error")
		}
		if es := entries(t, st); len(es) != 0 {
			t.Fatalf("%d entries after a failed transaction, want 0", len(es))
		}
	})
}

func TestCheckpointSignsTheHeadOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		l := openLog(t, st, 100)
		ctx := context.Background()
		appendN(t, l, 3)
		cp, err := l.Checkpoint(ctx)
		if err != nil || cp.Seq != 3 {
			t.Fatalf("Checkpoint = %+v, %v; want one at entry 3", cp, err)
		}
		if cp, err = l.Checkpoint(ctx); err != nil || cp.Seq != 0 {
			t.Fatalf("second Checkpoint = %+v, %v; want nothing new", cp, err)
		}
		exec(t, st, `DELETE FROM audit_log WHERE seq = 3`)
		if rep := mustVerify(t, l); rep.OK || rep.First.Kind != BreakTruncated {
			t.Fatalf("deleting the signed head went unnoticed: %+v", rep)
		}
	})
}

func TestTheKeyIsCreatedPrivateAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit.pem")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if _, err := os.Stat(path + ".pub"); err != nil {
		t.Fatalf("no public key beside the key: %v", err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable key was accepted: %v", err)
	}
}

func TestKeysCreatedAtOnceAreOneKey(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "keys", "audit.pem")
		keys := make([]ed25519.PrivateKey, 8)
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() { keys[i], errs[i] = LoadOrCreateKey(path) })
		}
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("round %d: creator %d: %v", round, i, errs[i])
			}
			if !keys[i].Equal(keys[0]) {
				t.Fatalf("round %d: creators 0 and %d hold different keys", round, i)
			}
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".audit-key-*")); len(left) > 0 {
			t.Fatalf("round %d: temporary key files left behind: %v", round, left)
		}
	}
}

func TestTheCanonicalEncodingTellsShiftedFieldsApart(t *testing.T) {
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	a := store.AuditEntry{Seq: 1, At: at, Actor: "ab", Action: "c", ObjectType: "t", OldJSON: "null", NewJSON: "null", PrevHash: GenesisHash}
	b := a
	b.Actor, b.Action = "a", "bc"
	if HashEntry(a) == HashEntry(b) {
		t.Fatal("moving a byte from one field to the next kept the hash")
	}
	c := a
	c.At = at.In(time.FixedZone("CST", 8*3600))
	if HashEntry(a) != HashEntry(c) {
		t.Fatal("the same instant in another zone changed the hash")
	}
}

func TestCanonicalJSONSortsKeysAndKeepsNumbers(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1,"a":{"d":2,"c":3}}`, `{"a":{"c":3,"d":2},"b":1}`},
		{` [ 1.50 , 12345678901234567890 ] `, `[1.50,12345678901234567890]`},
		{`"<&>"`, `"<&>"`},
		{`null`, `null`},
	}
	for _, tc := range tests {
		got, err := canonicalJSON(json.RawMessage(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("canonicalJSON(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := canonicalJSON(json.RawMessage(`{"a":`)); err == nil {
		t.Error("broken JSON was accepted")
	}
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":2}`, `[1.0,"x",null,true]`, `"\u00e9"`, `{"a":{"b":[{}]}}`, `1e400`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, err := canonicalJSON(json.RawMessage(s))
		if err != nil {
			return
		}
		twice, err := canonicalJSON(once)
		if err != nil {
			t.Fatalf("canonical form %s does not parse: %v", once, err)
		}
		if string(once) != string(twice) {
			t.Fatalf("not idempotent: %s then %s", once, twice)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	st := storetest.Init(b, storetest.Backends()[0].Options(b))
	l := openLog(b, st, 100)
	ctx := context.Background()
	ev := Event{Actor: "bench", Action: "bench.append", ObjectType: "bench", New: map[string]any{"status": "assigned"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Append(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10k(b *testing.B) {
	st := storetest.Init(b, storetest.Backends()[0].Options(b))
	l := openLog(b, st, 100)
	ctx := context.Background()
	const n, chunk = 10000, 500
	for c := 0; c < n/chunk; c++ {
		_, err := l.Do(ctx, func(tx *store.Tx, rec *Recorder) error {
			for i := 0; i < chunk; i++ {
				if _, err := rec.Append(ctx, Event{Actor: "bench", Action: "bench.append", ObjectType: "bench", ObjectID: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := l.Verify(ctx)
		if err != nil || !rep.OK || rep.Entries != n {
			b.Fatalf("Verify = %+v, %v", rep, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
