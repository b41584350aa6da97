package server

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestTheImportWizardPreviewsThenImportsAndFollowsTheJob(t *testing.T) {
	f := newFixture(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, ct := uploadBody(t, example, map[string]string{"dataset": "wizard_tx", "profile": "cn-bank-inquiry"})
	req, _ := http.NewRequest("POST", f.srv.URL+"/import/preview?lang=en", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Authorization", "Bearer "+f.tokens[app.RoleAnalyst])
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if resp.StatusCode != 200 || strings.Contains(page, "<html") {
		t.Fatalf("preview = %d, want a 200 fragment: %s", resp.StatusCode, page)
	}
	for _, want := range []string{"Encoding", "Delimiter", "Mapping", "Rows as they would be stored"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	m := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("preview has no upload id to import")
	}
	run := func(role string) *http.Response {
		req, _ := http.NewRequest("POST", f.srv.URL+"/import/run", strings.NewReader(url.Values{"upload": {m[1]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := run(app.RoleProsecutor); r.StatusCode != http.StatusNotFound {
		t.Errorf("importing another user's upload = %d, want 404", r.StatusCode)
	}
	r := run(app.RoleAnalyst)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/jobs/") {
		t.Fatalf("import run = %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	status, jb, _ := f.do(app.RoleAnalyst, "GET", r.Header.Get("Location")+"?lang=en", nil, "")
	if status != 200 || !strings.Contains(string(jb), `data-job="`) || !strings.Contains(string(jb), "/datasets/wizard_tx/rejects") {
		t.Errorf("job page = %d %s", status, jb)
	}
	if r := run(app.RoleAnalyst); r.StatusCode != http.StatusNotFound {
		t.Errorf("importing an upload twice = %d, want 404", r.StatusCode)
	}
}
