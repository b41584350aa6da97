package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/audit"
	"procura/internal/funds"
	"procura/internal/store/pgtest"
)

// The identifiers of the masking world, as imported.
var secrets = []string{"6222021234567890", "6222029876543210", "11010519491231002X", "110105198001010016",
	"13812345678", "490154203237518"}

const (
	txCSV = `tx_id,account,holder_id_number,time,amount,counterparty_account,counterparty_id_number,imei
T1,6222021234567890,11010519491231002X,2025-03-01 10:00:00,-1000.00,6222029876543210,110105198001010016,490154203237518
T2,6222029876543210,110105198001010016,2025-03-01 10:05:00,1000.00,6222021234567890,11010519491231002X,490154203237518
T3,6222029876543210,110105198001010016,2025-03-01 11:00:00,-900.00,6222025555666677,,490154203237518
T4,6222021234567890,11010519491231002X,not a time,-5.00,6222029876543210,110105198001010016,
`
	accountsCSV = `account,bank,holder_name,holder_id_number,opened_at,phone
6222021234567890,工商银行,张三,11010519491231002X,2025-01-01 09:00:00,13812345678
6228481234567891,农业银行,张三,11010519491231002X,2025-01-02 09:00:00,13812345678
6217001234567892,建设银行,张三,11010519491231002X,2025-01-03 09:00:00,13812345678
6216611234567893,中国银行,张三,11010519491231002X,2025-01-03 15:00:00,13812345678
`
	personsCSV = `rec_id,name,id_number,phone,birth_date,address
13812345678,张三,11010519491231002X,13812345678,1949-12-31,北京市东城区东四大街1号
13912345678,张三,11010519491231002X,13812345678,1949-12-31,北京市东城区东四大街1号
13700000001,李四,110105198001010016,13700000001,1980-01-01,上海市黄浦区南京路2号
13700000002,李四,110105198001010016,13700000001,1980-01-01,上海市黄浦区南京路2号
13600000001,王五,110105199003071239,13600000001,1990-03-07,广州市天河区天河路3号
13600000002,赵六,440105199003071230,13600000009,1991-04-08,深圳市南山区科技园4号
`
)

// maskWorld imports a small case (transactions with a rejected row, accounts, persons) and
// runs a model that finds a clue; it returns the App and the contexts of an analyst and a
// prosecutor.
func maskWorld(t *testing.T, db string) (a *App, analyst, prosecutor context.Context, files string) {
	t.Helper()
	a, _, _ = newTestApp(t, func(c *Config) { c.DB = db })
	ctx := context.Background()
	for _, u := range []NewUser{{Name: "li", Role: RoleAnalyst}, {Name: "wang", Role: RoleProsecutor}} {
		u.Password = "a long enough password"
		if _, err := a.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	files = t.TempDir()
	for name, body := range map[string]string{"tx.csv": txCSV, "accounts.csv": accountsCSV, "persons.csv": personsCSV} {
		if err := os.WriteFile(filepath.Join(files, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []ImportRequest{
		{Path: filepath.Join(files, "tx.csv"), Dataset: "tx", Kind: "transactions"},
		{Path: filepath.Join(files, "accounts.csv"), Dataset: "accounts", Kind: "accounts"},
	} {
		if _, err := a.Import(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.RunModels(ctx, RunRequest{IDs: []string{"cards_at_many_banks"}}); err != nil {
		t.Fatal(err)
	}
	analyst = WithPrincipal(ctx, Principal{Name: "li", Role: RoleAnalyst})
	prosecutor = WithPrincipal(ctx, Principal{Name: "wang", Role: RoleProsecutor})
	return a, analyst, prosecutor, files
}

// outputs calls every use case whose output shows identifiers and returns each output as JSON.
func outputs(t *testing.T, a *App, ctx context.Context, files string) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := json.Marshal(v)
		out[name] = string(b)
	}
	rej, err := a.Rejects(ctx, "tx", 0, 10, 0)
	add("rejects", rej, err)
	if rej.Total != 1 {
		t.Fatalf("the world has %d rejects, want 1", rej.Total)
	}
	pv, err := a.DryRun(ctx, ImportRequest{Path: filepath.Join(files, "tx.csv"), Kind: "transactions"}, 10)
	add("import preview", pv, err)
	clues, err := a.Clues(ctx, ClueQuery{})
	add("clues", clues, err)
	if clues.Total != 1 {
		t.Fatalf("the world has %d clues, want 1", clues.Total)
	}
	tr, err := a.Trace(ctx, TraceRequest{Dataset: "tx", SeedTxIDs: []string{"T1"}, Options: funds.TraceOptions{Direction: "forward"}})
	add("trace", tr, err)
	ty, err := a.Typologies(ctx, TypologyRequest{Dataset: "tx"})
	add("typologies", ty, err)
	nb, err := a.GraphNeighbours(ctx, NeighboursRequest{Seeds: []string{"6222021234567890"}, Hops: 2})
	add("graph neighbours", nb, err)
	path, err := a.GraphPath(ctx, PathRequest{From: "6222021234567890", To: "110105198001010016"})
	add("graph path", path, err)
	cm, err := a.GraphCommunities(ctx, CommunitiesRequest{MinSize: 2})
	add("graph communities", cm, err)
	res, err := a.Resolve(ctx, ResolveRequest{File: filepath.Join(files, "persons.csv"), IDColumn: "rec_id"})
	add("resolve", res, err)
	col, err := a.GraphCollisions(ctx, CollisionsRequest{})
	add("graph collisions", col, err)
	mt, err := a.MatchTransfers(ctx, MatchTransfersRequest{Out: "tx", In: "tx"})
	add("transfer match", mt, err)
	return out
}

// backends runs f on DuckDB and, when PROCURA_TEST_POSTGRES is set, on PostgreSQL.
func backends(t *testing.T, f func(t *testing.T, db string)) {
	t.Run("duckdb", func(t *testing.T) { f(t, "") })
	if url := os.Getenv(pgtest.Env); url != "" {
		t.Run("postgres", func(t *testing.T) { f(t, pgtest.FreshSchema(t, url)) })
	}
}

func TestAnAnalystSeesIdentifiersMaskedInEveryOutput(t *testing.T) { backends(t, analystSeesMasked) }

func analystSeesMasked(t *testing.T, db string) {
	a, analyst, _, files := maskWorld(t, db)
	for name, js := range outputs(t, a, analyst, files) {
		for _, s := range secrets {
			if strings.Contains(js, s) {
				t.Errorf("%s shows %s to an analyst: %s", name, s, js)
			}
		}
		if !strings.Contains(js, "****") && name != "typologies" && name != "graph collisions" { // nothing found in so small a world
			t.Errorf("%s shows no masked identifier: %s", name, js)
		}
	}
	_, err := a.Trace(WithUnmask(analyst), TraceRequest{Dataset: "tx", SeedTxIDs: []string{"T1"}})
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "identifiers.unmask") {
		t.Errorf("an analyst asking to unmask got %v, want a refusal naming identifiers.unmask", err)
	}
}

func TestAProsecutorWhoAsksSeesIdentifiersAndEachViewIsAudited(t *testing.T) {
	backends(t, prosecutorUnmasks)
}

func prosecutorUnmasks(t *testing.T, db string) {
	a, _, prosecutor, files := maskWorld(t, db)
	masked := outputs(t, a, prosecutor, files)
	if strings.Contains(masked["trace"], "6222029876543210") {
		t.Error("a prosecutor who did not ask sees identifiers unmasked")
	}
	before := auditCount(t, a, "identifiers.unmasked")
	clear := outputs(t, a, WithUnmask(prosecutor), files)
	for name, want := range map[string]string{"rejects": "11010519491231002X", "import preview": "6222021234567890",
		"clues": "11010519491231002X", "trace": "6222029876543210", "graph neighbours": "6222029876543210",
		"graph path": "110105198001010016", "resolve": "13812345678"} {
		if !strings.Contains(clear[name], want) {
			t.Errorf("%s unmasked does not show %s: %s", name, want, clear[name])
		}
	}
	if got := auditCount(t, a, "identifiers.unmasked") - before; got != len(clear) {
		t.Errorf("%d unmasked views were audited, want %d (one per output)", got, len(clear))
	}
	es, err := a.AuditLog(context.Background(), AuditQuery{Action: "identifiers.unmasked", Newest: true, Limit: 1})
	if err != nil || len(es) != 1 || es[0].Actor != "wang" {
		t.Errorf("newest unmasked view = %+v, %v; want one by wang", es, err)
	}
}

func TestAGraphExportIsAuditedWithItsRowsAndWhetherUnmasked(t *testing.T) {
	a, analyst, prosecutor, _ := maskWorld(t, "")
	if _, err := a.GraphExport(analyst, ExportRequest{Format: "json"}, &bytes.Buffer{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("an analyst exported the graph: %v", err)
	}
	for _, unmask := range []bool{false, true} {
		ctx := prosecutor
		if unmask {
			ctx = WithUnmask(ctx)
		}
		var buf bytes.Buffer
		res, err := a.GraphExport(ctx, ExportRequest{Format: "json"}, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if shows := strings.Contains(buf.String(), "6222021234567890"); shows != unmask || res.Unmasked != unmask {
			t.Errorf("export with unmask=%v: shows identifiers %v, reports unmasked %v", unmask, shows, res.Unmasked)
		}
		es, err := a.AuditLog(context.Background(), AuditQuery{Action: "graph.exported", Newest: true, Limit: 1})
		if err != nil || len(es) != 1 {
			t.Fatalf("no graph.exported entry: %v", err)
		}
		var rec map[string]any
		_ = json.Unmarshal([]byte(es[0].New), &rec)
		if es[0].Actor != "wang" || rec["unmasked"] != unmask || rec["rows"] != float64(res.Nodes) {
			t.Errorf("audit entry %+v (%v), want actor wang, unmasked %v, rows %d", es[0], rec, unmask, res.Nodes)
		}
	}
}

func auditCount(t *testing.T, a *App, action string) int {
	t.Helper()
	es, err := a.AuditLog(context.Background(), AuditQuery{Action: action, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// Data of a case is shown unmasked only to a user with a grant on the case (need-to-know),
// even when the role may unmask.
func TestUnmaskingTheDataOfACaseNeedsAGrantOnTheCase(t *testing.T) {
	a, _, prosecutor, _ := maskWorld(t, "")
	ctx := WithUnmask(prosecutor)
	if _, err := a.revealed(ctx, shown{Object: "clue", ID: "1", CaseID: "C-3", Rows: 1}); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "C-3") {
		t.Errorf("unmask without a grant = %v, want refused naming the case", err)
	}
	if err := a.GrantCase(context.Background(), "wang", "C-3"); err != nil {
		t.Fatal(err)
	}
	show, err := a.revealed(ctx, shown{Object: "clue", ID: "1", CaseID: "C-3", Rows: 1})
	if err != nil || !show {
		t.Errorf("unmask with a grant = %v, %v; want shown", show, err)
	}
	es, _ := a.AuditLog(context.Background(), AuditQuery{Case: "C-3", Action: "identifiers.unmasked"})
	if len(es) != 1 {
		t.Errorf("audit entries of case C-3 = %d, want the one unmasked view", len(es))
	}
}

// The auditor reads the audit log, never raw identifiers; numbers keep their exact text.
func TestTheAuditLogShowsValuesMaskedAndNumbersExact(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	l, err := a.auditLog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), audit.Event{Actor: "wang", Action: "clue.transition", ObjectType: "clue", ObjectID: "7",
		New: map[string]any{"subject": "6222021234567890", "note": "持卡人11010519491231002X", "rows": 12345678901234567, "file_sha256": "0123456789012345"}}); err != nil {
		t.Fatal(err)
	}
	auditor := WithPrincipal(context.Background(), Principal{Name: "qian", Role: RoleAuditor})
	es, err := a.AuditLog(auditor, AuditQuery{Action: "clue.transition"})
	if err != nil || len(es) != 1 {
		t.Fatalf("entries %v, %v", es, err)
	}
	got := string(es[0].New)
	for _, want := range []string{`"6222 **** **** 7890"`, `110105********002X`, `12345678901234567`, `"0123456789012345"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the auditor's entry %s lacks %s", got, want)
		}
	}
	if _, err := a.AuditLog(WithUnmask(auditor), AuditQuery{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("an auditor asking to unmask = %v, want refused", err)
	}
}

func TestACaseShowsItsPartiesAndAccountsMaskedUnlessAsked(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		addUsers(t, a, RoleProsecutor)
		pros := as("prosecutor", RoleProsecutor)
		const id, card = "110101195001011239", "6222021234567890128"
		if _, err := a.CreateCase(pros, NewCase{ID: "C-1", Title: "帮信案"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.LinkCase(pros, CaseLinkRequest{CaseID: "C-1", Parties: []Party{{Key: id, Name: "张甲", Role: "嫌疑人"}},
			Accounts: []string{card}}); err != nil {
			t.Fatal(err)
		}
		d, err := a.CaseShow(pros, "C-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Parties) != 1 || len(d.Accounts) != 1 || d.Parties[0].Ref == id || d.Accounts[0].Ref == card ||
			strings.Contains(d.Parties[0].Ref, "19500101") || !strings.HasSuffix(d.Accounts[0].Ref, "0128") {
			t.Errorf("case shown without asking: parties %+v accounts %+v, want both masked", d.Parties, d.Accounts)
		}
		evs, err := a.CaseTimeline(pros, "C-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if strings.Contains(e.Reason+e.New+e.Old, id) || strings.Contains(e.Reason+e.New+e.Old, card) {
				t.Errorf("timeline event %+v shows an identifier", e)
			}
		}
		d, err = a.CaseShow(WithUnmask(pros), "C-1")
		if err != nil || d.Parties[0].Ref != id || d.Accounts[0].Ref != card {
			t.Fatalf("asked to unmask: parties %+v accounts %+v, %v", d.Parties, d.Accounts, err)
		}
	})
}

func TestALedgerEntryShowsItsRecordedDocumentsMasked(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	addUsers(t, a, RoleAnalyst)
	const id, card = "110101195001011239", "6222021234567890128"
	v := SuggestionView{
		Inputs:    json.RawMessage(`{"rows":[{"id_number":"` + id + `"}]}`),
		Suggested: json.RawMessage(`{"subject_type":"person","subject_key":"` + id + `","subject":"` + card + `","explanation":"卡号` + card + `收到3名被害人转账"}`),
	}
	if err := a.maskSuggestion(as(RoleAnalyst, RoleAnalyst), "", &v); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []json.RawMessage{v.Inputs, v.Suggested} {
		if strings.Contains(string(doc), id) || strings.Contains(string(doc), card) || !json.Valid(doc) {
			t.Errorf("an analyst sees %s", doc)
		}
	}
}
