package ingest

import (
	"context"
	"os"
	"strings"
	"testing"

	"procura/internal/audit"
	"procura/internal/evidence"
	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestAnImportedBatchLinksToTheEvidenceItemOfItsFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		res := mustImport(t, st, Options{Path: example, Dataset: "bank_tx", Profile: "cn-bank-inquiry",
			SourceAgency: "某银行总行", RequestNo: "调证 2025-3", Importer: "clerk"})
		if res.EvidenceID == 0 || warned(res.Warnings, "not linked") {
			t.Fatalf("result = evidence %d, warnings %v", res.EvidenceID, res.Warnings)
		}
		id, ok, err := st.BatchEvidenceID(ctx, res.BatchID)
		if err != nil || !ok || id != res.EvidenceID {
			t.Fatalf("batch %d links to evidence %d (%v, %v), want %d", res.BatchID, id, ok, err, res.EvidenceID)
		}
		log, err := audit.Open(st, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ev := evidence.New(st, log)
		item, err := ev.Item(ctx, id)
		if err != nil || item.Source != "某银行总行" || item.LegalBasis != "调证 2025-3" || item.ReceivedBy != "clerk" || item.SHA256 != res.FileSHA256 {
			t.Fatalf("item = %+v, %v", item, err)
		}
		if fi, err := os.Stat(ev.Path(item.SHA256)); err != nil || fi.Mode().Perm() != 0o440 {
			t.Fatalf("kept file: %v, %v", fi, err)
		}
		evs, _ := ev.Custody(ctx, id)
		if len(evs) != 2 || evs[0].Event != evidence.Added || evs[1].Event != evidence.Accessed {
			t.Fatalf("custody = %+v; want added, then accessed by the import", evs)
		}
		// The same content again: no new batch, no new item, no new custody event.
		again := mustImport(t, st, Options{Path: example, Dataset: "bank_tx", Profile: "cn-bank-inquiry", Importer: "clerk"})
		if again.DuplicateOfBatch != res.BatchID || again.EvidenceID != id {
			t.Fatalf("re-import = batch %d evidence %d", again.DuplicateOfBatch, again.EvidenceID)
		}
		if evs, _ := ev.Custody(ctx, id); len(evs) != 2 {
			t.Fatalf("a duplicate import changed the custody: %+v", evs)
		}
		if rep, err := log.Verify(ctx); err != nil || !rep.OK || rep.Entries != 2 {
			t.Fatalf("audit chain = %+v, %v", rep, err)
		}
	})
}

func warned(warnings []string, sub string) bool {
	for _, w := range warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}
