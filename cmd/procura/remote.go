package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"procura/internal/app"
	"procura/internal/progress"
	"procura/internal/server"
	"procura/internal/store"
)

// tokenEnv names the API token with which commands send their work to the server that holds
// the workspace.
const tokenEnv = "PROCURA_TOKEN"

// serverRoute is where a command's work is done on a running server: the page and the API call.
type serverRoute struct{ page, api string }

// commandRoutes maps commands to the server's page and API route that do the same work. The
// commands marked forwarded send it there themselves when PROCURA_TOKEN is set.
var commandRoutes = map[string]serverRoute{
	"import":            {"/import", "POST /api/v1/imports"},
	"datasets":          {"/datasets", "GET /api/v1/datasets"},
	"rejects":           {"/datasets", "GET /api/v1/datasets/{name}/rejects"},
	"model list":        {"/models", "GET /api/v1/models"},
	"model show":        {"/models", "GET /api/v1/models/{id}"},
	"model run":         {"/models", "POST /api/v1/model-runs"},
	"model backtest":    {"/models", "POST /api/v1/models/{id}/backtest"},
	"clue list":         {"/clues", "GET /api/v1/clues"},
	"clue show":         {"/clues", "GET /api/v1/clues/{id}"},
	"clue transition":   {"/clues", "POST /api/v1/clues/transition"},
	"clue assign":       {"/clues", "POST /api/v1/clues/assign"},
	"clue comment":      {"/clues", "POST /api/v1/clues/{id}/comments"},
	"clue attach":       {"/clues", "POST /api/v1/clues/{id}/attachments"},
	"case create":       {"/cases", "POST /api/v1/cases"},
	"case show":         {"/cases", "GET /api/v1/cases/{id}"},
	"case list":         {"/cases", "GET /api/v1/cases"},
	"case link":         {"/cases", "POST /api/v1/cases/{id}/links"},
	"case timeline":     {"/cases", "GET /api/v1/cases/{id}/timeline"},
	"trace":             {"/trace", "POST /api/v1/traces"},
	"typologies":        {"/trace", "POST /api/v1/typologies"},
	"match-transfers":   {"/trace", "POST /api/v1/transfer-matches"},
	"calls analyze":     {"/graph", "POST /api/v1/calls/analyze"},
	"screen":            {"/screen", "POST /api/v1/screen"},
	"resolve":           {"/graph", "POST /api/v1/resolve"},
	"graph communities": {"/graph", "GET /api/v1/graph/communities"},
	"graph neighbours":  {"/graph", "GET /api/v1/graph/neighbours"},
	"graph path":        {"/graph", "GET /api/v1/graph/path"},
	"graph rank":        {"/graph", "GET /api/v1/graph/rank"},
	"graph collisions":  {"/graph", "GET /api/v1/graph/collisions"},
	"graph export":      {"/graph", "GET /api/v1/graph/export"},
	"audit log":         {"/audit", "GET /api/v1/audit"},
	"audit verify":      {"/audit", "POST /api/v1/audit/verify"},
	"evidence list":     {"/audit", "GET /api/v1/evidence"},
	"evidence show":     {"/audit", "GET /api/v1/evidence/{id}"},
	"evidence verify":   {"/audit", "POST /api/v1/evidence/verify"},
	"backup":            {"/", "POST /api/v1/backup"},
	"ai report":         {"/clues", "GET /api/v1/ai/report"},
}

// forwarded are the commands that send their work to the server when PROCURA_TOKEN is set.
var forwarded = map[string]bool{"import": true, "model run": true, "clue transition": true, "clue assign": true}

// heldByServer explains a workspace held by procura serve: which server, and where on it the
// command's work is done. A lock held by another process (or a server that left no serve.json)
// keeps the store's message.
func heldByServer(err error, workspace, command string) error {
	info, ok := holdingServer(err, workspace)
	if !ok {
		return err
	}
	msg := fmt.Sprintf("the workspace is held by procura serve (pid %d) at %s", info.PID, info.URL)
	if strings.HasPrefix(command, "user") {
		msg += fmt.Sprintf("; manage users at %s/users", info.URL)
	} else if r, ok := commandRoutes[command]; ok {
		method, path, _ := strings.Cut(r.api, " ")
		msg += fmt.Sprintf("; %s through %s%s or %s %s%s", command, info.URL, r.page, method, info.URL, path)
	} else {
		msg += fmt.Sprintf("; use its pages at %s or its API (%s/api/v1/openapi.json)", info.URL, info.URL)
	}
	if forwarded[command] {
		msg += fmt.Sprintf(", or set %s to an API token (procura user token NAME before serving, or POST /api/v1/me/tokens) and this command sends the work to the server", tokenEnv)
	}
	return fmt.Errorf("%s (%w)", msg, err)
}

// holdingServer reads the serve.json of workspace and checks that the server it names is the
// holder of the lock (err names the holder and its pid): a stale file whose pid now belongs to
// another process, or a lock held by some other command, names no server.
func holdingServer(err error, workspace string) (server.ServeInfo, bool) {
	info, ok := server.ReadServeFile(workspace)
	if !ok || !strings.Contains(err.Error(), "procura serve") || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", info.PID)) {
		return server.ServeInfo{}, false
	}
	return info, true
}

// openOrForward opens the workspace for command, or, when a running server holds it and
// PROCURA_TOKEN is set, returns a client of that server instead (a is nil then).
func (g *globals) openOrForward(ctx context.Context, command string) (*app.App, *remote, error) {
	a, err := g.open(ctx, command)
	if err == nil || !errors.Is(err, store.ErrWorkspaceHeld) {
		return a, nil, err
	}
	tok := strings.TrimSpace(os.Getenv(tokenEnv))
	info, ok := holdingServer(err, g.config(command).Workspace)
	if tok == "" || !ok {
		return nil, nil, err
	}
	return nil, &remote{base: info.URL, token: tok, http: &http.Client{}}, nil
}

// remote calls the API of the server that holds the workspace, as the user of the token.
type remote struct {
	base, token string
	http        *http.Client
}

// apiError is the server's error answer, told as the server's: the user sees where it failed.
type apiError struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

func (rc *remote) do(ctx context.Context, method, path string, body io.Reader, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, rc.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rc.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := rc.http.Do(req)
	if err != nil {
		var unknown x509.UnknownAuthorityError
		if errors.As(err, &unknown) {
			return fmt.Errorf("send the work to the server at %s: its certificate is not trusted here (%w); set SSL_CERT_FILE to the server's certificate (or its CA) and try again", rc.base, err)
		}
		return fmt.Errorf("send the work to the server at %s: %w; is procura serve still running?", rc.base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read the answer of %s %s%s: %w", method, rc.base, path, err)
	}
	if resp.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(b, &e) != nil || e.Error.Message == "" {
			return fmt.Errorf("the server at %s answered %s %s with %s", rc.base, method, path, resp.Status)
		}
		msg := e.Error.Message
		if len(e.Error.Details) > 0 {
			d, _ := json.Marshal(e.Error.Details)
			msg += " " + string(d)
		}
		if resp.StatusCode == http.StatusUnauthorized {
			msg += fmt.Sprintf("; %s is not a live API token of this server", tokenEnv)
		}
		return fmt.Errorf("server %s: %s", rc.base, msg)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("the server's answer to %s %s is not what this procura expects (%v); are the server and this command the same version?", method, path, err)
		}
	}
	return nil
}

// postJSON sends v as JSON and decodes the answer into out.
func (rc *remote) postJSON(ctx context.Context, path string, v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return rc.do(ctx, "POST", path, bytes.NewReader(b), "application/json", out)
}

// remoteJob is a background job of the server (internal/server.Job as it travels).
type remoteJob struct {
	ID     string          `json:"id"`
	Status string          `json:"status"`
	Phase  string          `json:"phase"`
	Done   int64           `json:"done"`
	Total  int64           `json:"total"`
	Unit   string          `json:"unit"`
	Error  string          `json:"error"`
	Result json.RawMessage `json:"result"`
}

// follow reads the job's events until it ends, drawing its progress on prog, and decodes its
// result into out. Interrupting the command cancels the job on the server.
func (rc *remote) follow(ctx context.Context, job remoteJob, prog progress.Reporter, out any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", rc.base+"/api/v1/jobs/"+job.ID+"/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rc.token)
	resp, err := rc.http.Do(req)
	if err != nil {
		return rc.interrupted(ctx, job, fmt.Errorf("follow job %s on %s: %w", job.ID, rc.base, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("follow job %s on %s: %s", job.ID, rc.base, resp.Status)
	}
	phase, done, began := "", int64(0), false
	last := job
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if err := json.Unmarshal([]byte(data), &last); err != nil {
			return fmt.Errorf("job %s on %s sent an event this procura cannot read: %v", job.ID, rc.base, err)
		}
		if last.Phase != phase && last.Phase != "" {
			if began {
				prog.End()
			}
			phase, done, began = last.Phase, 0, true
			prog.Begin(phase, last.Total, last.Unit)
		}
		if last.Done > done {
			prog.Add(last.Done - done)
			done = last.Done
		}
	}
	if began {
		prog.End()
	}
	if err := sc.Err(); err != nil {
		return rc.interrupted(ctx, job, fmt.Errorf("follow job %s on %s: %w", job.ID, rc.base, err))
	}
	switch last.Status {
	case "done":
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(last.Result, out); err != nil {
			return fmt.Errorf("the result of job %s is not what this procura expects (%v); are the server and this command the same version?", job.ID, err)
		}
		return nil
	case "running":
		return rc.interrupted(ctx, job, fmt.Errorf("job %s on %s: the event stream ended while it runs; see %s/jobs/%s", job.ID, rc.base, rc.base, job.ID))
	}
	return fmt.Errorf("server %s: job %s %s: %s", rc.base, job.ID, last.Status, last.Error)
}

// interrupted cancels the server's job when the command was interrupted (Ctrl-C), so the work
// does not go on without anyone waiting for it.
func (rc *remote) interrupted(ctx context.Context, job remoteJob, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if cerr := rc.do(cctx, "DELETE", "/api/v1/jobs/"+job.ID, nil, "", nil); cerr != nil {
		return fmt.Errorf("%w; cancelling job %s on the server failed too: %v", ctx.Err(), job.ID, cerr)
	}
	return fmt.Errorf("%w: job %s on %s was cancelled", ctx.Err(), job.ID, rc.base)
}

// upload streams a file and form fields to path as multipart (never whole into memory) and
// decodes the answer.
func (rc *remote) upload(ctx context.Context, path, file string, fields map[string]string, out any) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for k, v := range fields {
				if v == "" {
					continue
				}
				if err := mw.WriteField(k, v); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("file", filepath.Base(file))
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	return rc.do(ctx, "POST", path, pr, mw.FormDataContentType(), out)
}
