package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"procura/internal/app"
	"procura/internal/audit"
	"procura/internal/evidence"
)

// casesEvidenceForm is a multipart body with a file part (name and content) and fields.
func casesEvidenceForm(name string, content []byte, fields map[string]string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// casesOpen opens case id as the administrator.
func (f *fixture) casesOpen(id string) app.CaseDetail {
	f.t.Helper()
	var cd app.CaseDetail
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: id, Title: "电信诈骗 " + id}, &cd); status != http.StatusCreated {
		f.t.Fatalf("create case %s = %d %s", id, status, b)
	}
	return cd
}

// casesGrant gives user the case, as the administrator does.
func (f *fixture) casesGrant(user, caseID string) {
	f.t.Helper()
	ctx := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	if err := f.app.GrantCase(ctx, user, caseID); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) casesErrDetails(b []byte) map[string]any {
	var e struct {
		Error struct {
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	casesJSON(f.t, b, &e)
	return e.Error.Details
}

func TestEvidenceIsUploadedToACaseDownloadedIntactAndTransferredOnTheRecord(t *testing.T) {
	f := newFixture(t)
	f.casesOpen("C-9")
	content := []byte("账号,金额\n6222021234567890,1000.00\n")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	intake := map[string]string{"source": "某银行", "legal_basis": "调证通知书 2025-017", "note": "流水"}

	// Need-to-know: a prosecutor without a grant may neither add to nor list the case's evidence.
	body, ct := casesEvidenceForm("statement.csv", content, intake)
	if status, b, _ := f.do(app.RoleProsecutor, "POST", "/api/v1/cases/C-9/evidence", body, ct); status != http.StatusForbidden || errorCode(t, b) != "forbidden" {
		t.Fatalf("upload without a grant = %d %s, want 403", status, b)
	}
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/cases/C-9/evidence", nil, http.StatusForbidden, "forbidden")
	body, ct = casesEvidenceForm("statement.csv", content, intake)
	if status, b, _ := f.do(app.RoleAdmin, "POST", "/api/v1/cases/NOPE/evidence", body, ct); status != http.StatusNotFound {
		t.Fatalf("upload to an unknown case = %d %s, want 404", status, b)
	}

	body, ct = casesEvidenceForm("statement.csv", content, intake)
	status, b, _ := f.do(app.RoleAdmin, "POST", "/api/v1/cases/C-9/evidence", body, ct)
	var added app.EvidenceAdded
	casesJSON(t, b, &added)
	if status != http.StatusCreated || added.Existing || added.Item.SHA256 != want || added.Item.CaseID != "C-9" || added.Item.Note != "流水" {
		t.Fatalf("upload = %d %s, want 201 with sha256 %s in case C-9", status, b, want)
	}
	id := strconv.FormatInt(added.Item.ID, 10)

	f.casesGrant("u_prosecutor", "C-9")
	var list struct {
		Evidence []evidence.Item `json:"evidence"`
	}
	for _, role := range []string{app.RoleProsecutor, app.RoleAuditor} {
		if status, b := f.call(role, "GET", "/api/v1/cases/C-9/evidence", nil, &list); status != 200 || len(list.Evidence) != 1 || list.Evidence[0].SHA256 != want {
			t.Fatalf("case evidence as %s = %d %s", role, status, b)
		}
	}

	// A download needs a purpose and the export permission; the bytes are the ones uploaded.
	if d := f.wantError(app.RoleProsecutor, "GET", "/api/v1/evidence/"+id+"/file", nil, http.StatusBadRequest, "invalid"); d["purpose"] == nil {
		t.Errorf("download without a purpose: details %v do not name purpose", d)
	}
	f.wantError(app.RoleAuditor, "GET", "/api/v1/evidence/"+id+"/file?purpose=check", nil, http.StatusForbidden, "forbidden")
	status, got, h := f.do(app.RoleProsecutor, "GET", "/api/v1/evidence/"+id+"/file?purpose="+url.QueryEscape("庭审质证"), nil, "")
	gotSum := sha256.Sum256(got)
	if status != 200 || !bytes.Equal(got, content) || hex.EncodeToString(gotSum[:]) != want || h.Get("X-Procura-SHA256") != want {
		t.Fatalf("download = %d, %d bytes, sha256 header %q; want the %d bytes uploaded", status, len(got), h.Get("X-Procura-SHA256"), len(content))
	}

	if d := f.wantError(app.RoleProsecutor, "POST", "/api/v1/evidence/"+id+"/transfer", transferRequest{Purpose: "移送"}, http.StatusBadRequest, "invalid"); d["to"] == nil {
		t.Errorf("transfer to nobody: details %v do not name to", d)
	}
	var moved evidence.Item
	if status, b := f.call(app.RoleProsecutor, "POST", "/api/v1/evidence/"+id+"/transfer", transferRequest{To: "李检察官", Purpose: "移送审查起诉"}, &moved); status != 200 || moved.Custodian != "李检察官" {
		t.Fatalf("transfer = %d %s", status, b)
	}
	var d app.EvidenceDetail
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/evidence/"+id, nil, &d); status != 200 {
		t.Fatalf("show = %d %s", status, b)
	}
	var events []string
	for _, e := range d.Custody {
		events = append(events, e.Event)
	}
	if len(events) != 3 || events[0] != evidence.Added || events[1] != evidence.Exported || events[2] != evidence.Transferred ||
		d.Custody[2].Counterparty != "李检察官" || d.Custody[1].Actor != "u_prosecutor" {
		t.Errorf("custody = %+v, want added, exported (the download), transferred to 李检察官", d.Custody)
	}
	var log struct {
		Entries []audit.Entry `json:"entries"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/audit?action=evidence.transferred&case=C-9", nil, &log); status != 200 ||
		len(log.Entries) != 1 || log.Entries[0].ObjectID != id || log.Entries[0].Actor != "u_prosecutor" {
		t.Errorf("audit of the transfer = %d %s", status, b)
	}
}

func TestContentHeldByAnotherCaseIsNotFiledAgain(t *testing.T) {
	f := newFixture(t)
	f.casesOpen("C-9")
	f.casesOpen("C-10")
	f.casesGrant("u_prosecutor", "C-10")
	content := []byte("同一份流水")
	upload := func(role, caseID string) (int, []byte) {
		body, ct := casesEvidenceForm("a.csv", content, map[string]string{"source": "某银行", "legal_basis": "调证 1"})
		status, b, _ := f.do(role, "POST", "/api/v1/cases/"+caseID+"/evidence", body, ct)
		return status, b
	}
	if status, b := upload(app.RoleAdmin, "C-9"); status != http.StatusCreated {
		t.Fatalf("first upload = %d %s", status, b)
	}
	if status, b := upload(app.RoleAdmin, "C-9"); status != http.StatusOK || !bytes.Contains(b, []byte(`"existing":true`)) {
		t.Errorf("the same content to the same case = %d %s, want 200 existing", status, b)
	}
	// A prosecutor granted only C-10 learns nothing of the C-9 item.
	if status, b := upload(app.RoleProsecutor, "C-10"); status != http.StatusForbidden || bytes.Contains(b, []byte("C-9")) {
		t.Errorf("content of an ungranted case = %d %s, want 403 not naming it", status, b)
	}
	if status, b := upload(app.RoleAdmin, "C-10"); status != http.StatusBadRequest || !bytes.Contains(b, []byte("case C-9")) {
		t.Errorf("content of another case = %d %s, want 400 naming it", status, b)
	}
}

func TestAnEvidenceUploadNamesEachFieldAtFault(t *testing.T) {
	f := newFixture(t)
	f.casesOpen("C-9")
	body, ct := casesEvidenceForm("empty.csv", nil, map[string]string{"source": "某银行", "legal_basis": "调证 1"})
	status, b, _ := f.do(app.RoleAdmin, "POST", "/api/v1/cases/C-9/evidence", body, ct)
	if d := f.casesErrDetails(b); status != http.StatusBadRequest || d["file"] == nil || len(d) != 1 {
		t.Errorf("empty file = %d %s, want 400 naming file", status, b)
	}
	body, ct = casesEvidenceForm("x.csv", []byte("x"), map[string]string{"received_at": "yesterday"})
	status, b, _ = f.do(app.RoleAdmin, "POST", "/api/v1/cases/C-9/evidence", body, ct)
	if d := f.casesErrDetails(b); status != http.StatusBadRequest || d["received_at"] == nil {
		t.Errorf("bad time = %d %s, want 400 naming received_at", status, b)
	}
	body, ct = casesEvidenceForm("x.csv", []byte("x"), nil)
	status, b, _ = f.do(app.RoleAdmin, "POST", "/api/v1/cases/C-9/evidence", body, ct)
	if d := f.casesErrDetails(b); status != http.StatusBadRequest || d["source"] == nil || d["legal_basis"] == nil {
		t.Errorf("no source or legal basis = %d %s, want 400 naming both", status, b)
	}
	f.wantError(app.RoleAdmin, "GET", "/api/v1/evidence/x/file?purpose=p", nil, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAdmin, "GET", "/api/v1/evidence/999/file?purpose=p", nil, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAdmin, "GET", "/api/v1/cases?status=pending", nil, http.StatusBadRequest, "invalid")
}

func casesJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("answer %s is not the JSON expected: %v", b, err)
	}
}
