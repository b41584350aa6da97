package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"procura/internal/audit"
	"procura/internal/store"
	"procura/internal/store/storetest"
)

func newStore(t testing.TB, st *store.Store) (*Store, *audit.Log) {
	t.Helper()
	l, err := audit.Open(st, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return New(st, l), l
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var intake = Intake{Source: "某银行总行", ReceivedBy: "王警官", LegalBasis: "调证通知书 2025-017", CaseID: "C-9"}

func TestAddedEvidenceIsStoredReadOnlyByContentWithItsReceipt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, l := newStore(t, st)
		ctx := context.Background()
		src := writeFile(t, "流水.csv", "a,b\n1,2\n")
		item, existing, err := ev.Add(ctx, "clerk", src, intake, nil)
		if err != nil || existing {
			t.Fatalf("Add = %+v, %v, %v", item, existing, err)
		}
		fi, err := os.Stat(ev.Path(item.SHA256))
		if err != nil || fi.Mode().Perm() != 0o440 || fi.Size() != 8 {
			t.Fatalf("stored file: %v, %v; want 8 bytes, mode 0440", fi, err)
		}
		if item.FileName != "流水.csv" || item.Source != intake.Source || item.ReceivedBy != "王警官" || item.Custodian != "王警官" ||
			item.LegalBasis != intake.LegalBasis || item.AddedBy != "clerk" || item.ReceivedAt.IsZero() {
			t.Fatalf("item = %+v", item)
		}
		evs, err := ev.Custody(ctx, item.ID)
		if err != nil || len(evs) != 1 || evs[0].Event != Added || evs[0].AuditSeq == 0 {
			t.Fatalf("custody = %+v, %v; want one added event with its audit entry", evs, err)
		}
		entries, _ := l.Entries(ctx, audit.Filter{CaseID: "C-9"})
		if len(entries) != 1 || entries[0].Action != "evidence.added" || entries[0].Seq != evs[0].AuditSeq {
			t.Fatalf("audit entries for the case = %+v", entries)
		}
	})
}

func TestTheSameContentAddedTwiceIsOneItemWithTwoReceipts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, _ := newStore(t, st)
		ctx := context.Background()
		first, _, err := ev.Add(ctx, "clerk", writeFile(t, "a.csv", "same"), intake, nil)
		if err != nil {
			t.Fatal(err)
		}
		again := intake
		again.Source, again.LegalBasis = "公安局", "协查函 88"
		second, existing, err := ev.Add(ctx, "clerk", writeFile(t, "b.csv", "same"), again, nil)
		if err != nil || !existing || second.ID != first.ID {
			t.Fatalf("second Add = %+v, existing %v, %v; want item %d again", second, existing, err, first.ID)
		}
		evs, _ := ev.Custody(ctx, first.ID)
		if len(evs) != 2 || evs[1].Counterparty != "公安局" || evs[1].Purpose != "协查函 88" {
			t.Fatalf("custody = %+v; want the second receipt recorded", evs)
		}
	})
}

func TestConcurrentReceiptsOfOneFileMakeOneItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		src := writeFile(t, "x.csv", "concurrent content")
		var wg sync.WaitGroup
		ids := make([]int64, 4)
		errs := make([]error, 4)
		for i := range ids {
			ev, _ := newStore(t, st)
			wg.Add(1)
			go func() {
				defer wg.Done()
				it, _, err := ev.Add(ctx, fmt.Sprint("clerk", i), src, intake, nil)
				ids[i], errs[i] = it.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("receipt %d: item %d, %v; want item %d", i, ids[i], errs[i], ids[0])
			}
		}
		ev, l := newStore(t, st)
		if evs, _ := ev.Custody(ctx, ids[0]); len(evs) != 4 {
			t.Fatalf("%d custody events, want 4", len(evs))
		}
		if rep, err := l.Verify(ctx); err != nil || !rep.OK || rep.Entries != 4 {
			t.Fatalf("audit chain after concurrent receipts: %+v, %v", rep, err)
		}
	})
}

func TestExportCopiesVerifiesAndRecordsTheRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, _ := newStore(t, st)
		ctx := context.Background()
		item, _, err := ev.Add(ctx, "clerk", writeFile(t, "a.csv", "content for court"), intake, nil)
		if err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(t.TempDir(), "out.csv")
		res, err := ev.Export(ctx, item.ID, "prosecutor", dest, "某区人民法院", "庭审质证")
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(dest); string(b) != "content for court" || res.Size != 17 {
			t.Fatalf("exported %q (%d bytes)", b, res.Size)
		}
		if _, err := ev.Export(ctx, item.ID, "prosecutor", dest, "x", "y"); err == nil || !strings.Contains(err.Error(), "never overwrites") {
			t.Fatalf("an export over an existing file was allowed: %v", err)
		}
		evs, _ := ev.Custody(ctx, item.ID)
		last := evs[len(evs)-1]
		if len(evs) != 2 || last.Event != Exported || last.Counterparty != "某区人民法院" || last.Actor != "prosecutor" || !strings.Contains(last.DetailJSON, "out.csv") {
			t.Fatalf("custody = %+v", evs)
		}
	})
}

func TestExportRefusesAChangedFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, _ := newStore(t, st)
		ctx := context.Background()
		item, _, _ := ev.Add(ctx, "clerk", writeFile(t, "a.csv", "original"), intake, nil)
		p := ev.Path(item.SHA256)
		os.Chmod(p, 0o640)
		if err := os.WriteFile(p, []byte("forged!!"), 0o640); err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(t.TempDir(), "out.csv")
		_, err := ev.Export(ctx, item.ID, "prosecutor", dest, "court", "trial")
		if !errors.Is(err, ErrChanged) {
			t.Fatalf("export of a changed file: %v, want ErrChanged", err)
		}
		if _, err := os.Stat(dest); !os.IsNotExist(err) {
			t.Fatalf("the bad copy was left at %s", dest)
		}
		if evs, _ := ev.Custody(ctx, item.ID); len(evs) != 1 {
			t.Fatalf("a failed export was recorded: %+v", evs)
		}
	})
}

func TestADownloadIsRecordedAsAnExportAndRefusesAChangedFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, _ := newStore(t, st)
		ctx := context.Background()
		item, _, _ := ev.Add(ctx, "clerk", writeFile(t, "a.csv", "original"), intake, nil)
		f, got, e, err := ev.Download(ctx, item.ID, "prosecutor", "prosecutor", "trial")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if string(b) != "original" || got.ID != item.ID || e.Event != Exported || e.Counterparty != "prosecutor" || e.AuditSeq == 0 {
			t.Fatalf("download = %q, %+v; want the content and an exported event", b, e)
		}
		p := ev.Path(item.SHA256)
		os.Chmod(p, 0o640)
		if err := os.WriteFile(p, []byte("forged!!"), 0o640); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := ev.Download(ctx, item.ID, "prosecutor", "prosecutor", "trial"); !errors.Is(err, ErrChanged) {
			t.Fatalf("download of a changed file: %v, want ErrChanged", err)
		}
		if evs, _ := ev.Custody(ctx, item.ID); len(evs) != 2 {
			t.Fatalf("a refused download was recorded: %+v", evs)
		}
	})
}

func TestTransferChangesTheCustodianAndAccessIsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, _ := newStore(t, st)
		ctx := context.Background()
		item, _, _ := ev.Add(ctx, "clerk", writeFile(t, "a.csv", "x"), intake, nil)
		after, tev, err := ev.Transfer(ctx, item.ID, "王警官", "李检察官", "移送审查起诉")
		if err != nil || after.Custodian != "李检察官" || tev.Event != Transferred {
			t.Fatalf("Transfer = %+v, %+v, %v", after, tev, err)
		}
		if got, _ := ev.Item(ctx, item.ID); got.Custodian != "李检察官" {
			t.Fatalf("stored custodian = %s", got.Custodian)
		}
		f, _, err := ev.Open(ctx, item.ID, "李检察官", "阅卷")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		evs, _ := ev.Custody(ctx, item.ID)
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Event)
		}
		if strings.Join(kinds, ",") != "added,transferred,accessed" {
			t.Fatalf("custody events = %v", kinds)
		}
		if _, _, err := ev.Transfer(ctx, 999, "x", "y", ""); !errors.Is(err, store.ErrNoEvidence) {
			t.Fatalf("transfer of a missing item: %v", err)
		}
	})
}

func TestVerifyReportsChangedMissingWritableAndUnregisteredFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ev, _ := newStore(t, st)
		ctx := context.Background()
		var items []Item
		for _, c := range []string{"kept", "changed", "missing", "writable"} {
			it, _, err := ev.Add(ctx, "clerk", writeFile(t, c+".csv", c), intake, nil)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		rep, err := ev.Verify(ctx)
		if err != nil || !rep.OK || len(rep.Warnings) != 0 || rep.Items != 4 {
			t.Fatalf("untouched store: %+v, %v", rep, err)
		}
		os.Chmod(ev.Path(items[1].SHA256), 0o640)
		os.WriteFile(ev.Path(items[1].SHA256), []byte("CHANGED"), 0o640)
		os.Remove(ev.Path(items[2].SHA256))
		os.Chmod(ev.Path(items[3].SHA256), 0o640)
		if _, err := ev.Put(writeFile(t, "loose.csv", "never registered"), nil); err != nil {
			t.Fatal(err)
		}
		rep, err = ev.Verify(ctx)
		if err != nil || rep.OK {
			t.Fatalf("tampered store verified: %+v, %v", rep, err)
		}
		got := map[string]int64{}
		for _, p := range append(rep.Problems, rep.Warnings...) {
			got[p.Kind] = p.ItemID
		}
		want := map[string]int64{ProblemChanged: items[1].ID, ProblemMissing: items[2].ID, ProblemWritable: items[3].ID, ProblemUnregistered: 0}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("findings = %v, want %v", got, want)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	st := storetest.Init(b, storetest.Backends()[0].Options(b))
	ev, _ := newStore(b, st)
	ctx := context.Background()
	const files, size = 8, 4 << 20
	buf := make([]byte, size)
	for i := 0; i < files; i++ {
		buf[0] = byte(i)
		p := filepath.Join(b.TempDir(), fmt.Sprint(i))
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ev.Add(ctx, "bench", p, intake, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(files * size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rep, err := ev.Verify(ctx); err != nil || !rep.OK {
			b.Fatalf("Verify = %+v, %v", rep, err)
		}
	}
}
