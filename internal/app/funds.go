package app

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"procura/internal/funds"
	"procura/internal/progress"
	"procura/internal/store"
)

// LoadGraph reads a transactions dataset into a fund-flow graph: the last graph loaded when
// it is still in memory (graphcache.go), else from its snapshot when one matches the dataset's
// rows (graph_cache.go), else from the store; it says where the graph came from
// (GraphFromMemory, GraphFromSnapshot or GraphFromStore). Every fund-flow use case (trace,
// typologies, eval, the fund-flow page's expansions) reads the money through here, so the
// trace.run permission is checked here once. Reading is not a change, and writing the
// snapshot (derived data) is not one either: neither is an audit event.
func (a *App) LoadGraph(ctx context.Context, dataset string, pr progress.Reporter) (*funds.Graph, string, error) {
	if _, err := a.authorize(ctx, ActTraceRun); err != nil {
		return nil, "", err
	}
	kind, version, err := a.st.DatasetVersion(ctx, dataset)
	if err != nil {
		return nil, "", err
	}
	if g := a.graphs.get(dataset, version); g != nil {
		return g, GraphFromMemory, nil
	}
	g, source, err := loadGraph(ctx, a.st, dataset, kind, version, pr)
	if err != nil {
		return nil, "", err
	}
	a.graphs.put(dataset, version, g)
	return g, source, nil
}

// TraceRequest says what procura trace follows.
type TraceRequest struct {
	Dataset     string
	SeedTxIDs   []string
	SeedFile    string // CSV with a tx_id column (or one id per line)
	FromAccount string
	// Victims seeds the trace with the known victims' payments (Graph.VictimPayments) at or
	// after After: the victims of the case_parties datasets named, or of every one.
	Victims         bool
	VictimsDatasets []string
	After           time.Time
	Options         funds.TraceOptions // Seeds are filled in from the fields above
	Progress        progress.Reporter
}

// TraceResult is a trace with the graph's size and the load time.
type TraceResult struct {
	Dataset     string  `json:"dataset"`
	Accounts    int     `json:"graph_accounts"`
	Edges       int     `json:"graph_edges"`
	LoadSeconds float64 `json:"load_seconds"`
	GraphSource string  `json:"graph_source"` // GraphFromMemory, GraphFromSnapshot or GraphFromStore
	*funds.Result
}

// Trace follows victims' money (or any seed transactions) through a transactions dataset.
func (a *App) Trace(ctx context.Context, req TraceRequest) (TraceResult, error) {
	res, _, err := a.trace(ctx, req)
	if err != nil {
		return TraceResult{}, err
	}
	return res, a.conceal(ctx, &res, shown{Object: "trace", ID: req.Dataset, Rows: len(res.Result.Accounts)}, basePlan)
}

// trace is Trace with identifiers in the clear (callers mask what they return), and the
// graph it traced in.
func (a *App) trace(ctx context.Context, req TraceRequest) (TraceResult, *funds.Graph, error) {
	t := time.Now()
	g, source, err := a.LoadGraph(ctx, req.Dataset, req.Progress)
	if err != nil {
		return TraceResult{}, nil, err
	}
	load := time.Since(t).Seconds()
	o := req.Options
	o.Location = a.st.Location()
	ids := req.SeedTxIDs
	if req.SeedFile != "" {
		more, err := readSeedFile(req.SeedFile)
		if err != nil {
			return TraceResult{}, nil, err
		}
		ids = append(ids, more...)
	}
	switch {
	case len(ids) > 0 && req.FromAccount != "", req.Victims && (len(ids) > 0 || req.FromAccount != ""):
		return TraceResult{}, nil, errors.New("give one kind of seed: transactions, an account or the known victims")
	case req.Victims:
		src, err := a.st.KnownVictims(ctx, req.VictimsDatasets...)
		if err != nil {
			return TraceResult{}, nil, err
		}
		if len(src.Numbers) == 0 {
			return TraceResult{}, nil, errors.New("the workspace knows no victims: import case parties (kind case_parties, role victim) or give seed transactions")
		}
		if o.Seeds = g.VictimPayments(src.Numbers, req.After); len(o.Seeds) == 0 {
			return TraceResult{}, nil, fmt.Errorf("none of the %d known victims made a payment in %s after the time given: check the dataset or the time", len(src.Numbers), req.Dataset)
		}
	case len(ids) > 0:
		if o.Seeds, err = g.SeedsFromTxIDs(ids); err != nil {
			return TraceResult{}, nil, err
		}
	case req.FromAccount != "":
		if o.Seeds, err = g.SeedsFromAccount(req.FromAccount, req.After, o.Direction); err != nil {
			return TraceResult{}, nil, err
		}
	default:
		return TraceResult{}, nil, errors.New("nothing to trace: give --seed-tx, --seed-file or --from-account")
	}
	r, err := funds.Trace(ctx, g, o)
	if err != nil {
		return TraceResult{}, nil, err
	}
	if err := a.auditTrace(ctx, req.Dataset, r); err != nil {
		return TraceResult{}, nil, err
	}
	return TraceResult{Dataset: req.Dataset, Accounts: g.NumAccounts(), Edges: g.NumEdges(), LoadSeconds: load, GraphSource: source, Result: r}, g, nil
}

// readVictimsFile reads victims' account or card numbers (funds.ReadVictims).
func readVictimsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("victims file: %w", err)
	}
	defer f.Close()
	nums, err := funds.ReadVictims(f)
	if err != nil {
		return nil, fmt.Errorf("victims file %s: %w", path, err)
	}
	return nums, nil
}

// readSeedFile reads transaction ids from a CSV with a tx_id column, or from a file with one
// id per line.
func readSeedFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	col := -1
	var ids []string
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("seed file %s: %w", path, err)
		}
		if line == 1 {
			for i, h := range rec {
				if k := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))); k == "tx_id" || k == "交易流水号" {
					col = i
				}
			}
			if col >= 0 {
				continue
			}
			col = 0
		}
		if col < len(rec) {
			if id := strings.TrimSpace(rec[col]); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("seed file %s holds no transaction ids: give a column tx_id or one id per line", path)
	}
	return ids, nil
}

// TypologyRequest says which dataset procura typologies scans and how.
type TypologyRequest struct {
	Dataset  string
	Only     []string
	Params   funds.TypologyParams
	Progress progress.Reporter
	// Known victims for many_victims: a file of their account or card numbers, or
	// case_parties datasets (rows with the role victim). With neither, every case_parties
	// dataset of the workspace is read.
	VictimsFile     string
	VictimsDatasets []string
}

// Typologies finds laundering patterns in a transactions dataset.
func (a *App) Typologies(ctx context.Context, req TypologyRequest) (*funds.TypologyResult, error) {
	t := time.Now()
	g, source, err := a.LoadGraph(ctx, req.Dataset, req.Progress)
	if err != nil {
		return nil, err
	}
	load := time.Since(t).Seconds()
	known, err := a.knownVictims(ctx, req)
	if err != nil {
		return nil, err
	}
	res, err := funds.DetectKnown(ctx, g, req.Params, req.Only, known)
	if err != nil {
		return nil, err
	}
	res.LoadSeconds, res.GraphSource = load, source
	return res, a.conceal(ctx, res, shown{Object: "typologies", ID: req.Dataset, Rows: len(res.Findings)}, basePlan)
}

// knownVictims gathers the victims' numbers many_victims looks for (docs/funds.md).
func (a *App) knownVictims(ctx context.Context, req TypologyRequest) (funds.Known, error) {
	if req.VictimsFile != "" {
		nums, err := readVictimsFile(req.VictimsFile)
		return funds.Known{Victims: nums, Source: "file " + req.VictimsFile}, err
	}
	src, err := a.st.KnownVictims(ctx, req.VictimsDatasets...)
	if err != nil || len(src.Datasets) == 0 {
		return funds.Known{}, err
	}
	return funds.Known{Victims: src.Numbers, Source: "case_parties " + strings.Join(src.Datasets, ", ")}, nil
}

// EvalAMLRequest names AMLSim files to evaluate typology detection on.
type EvalAMLRequest struct {
	Transactions string // AMLSim transactions.csv or .csv.gz
	Alerts       string // alert_accounts.csv
	Dataset      string // dataset to import into; default "amlsim"
	Params       funds.TypologyParams
	Progress     progress.Reporter
}

// EvalAMLResult is the evaluation with the import and the detection behind it.
type EvalAMLResult struct {
	Dataset      string               `json:"dataset"`
	RowsImported int64                `json:"rows_imported"`
	Findings     map[string]int       `json:"findings"`
	Evaluation   funds.AMLEvaluation  `json:"evaluation"`
	Params       funds.TypologyParams `json:"params"`
	Seconds      float64              `json:"detect_seconds"`
}

// EvalAML imports an AMLSim run, detects typologies with one parameter set and scores the
// flagged accounts against the run's alerts (docs/funds.md, "Evaluation").
func (a *App) EvalAML(ctx context.Context, req EvalAMLRequest) (EvalAMLResult, error) {
	if req.Dataset == "" {
		req.Dataset = "amlsim"
	}
	path := req.Transactions
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		// The importer reads plain files; the decompressed copy lives in the workspace
		// (case data never goes to the system's temporary directory).
		tmp := filepath.Join(filepath.Dir(a.st.EvidenceDir()), "tmp")
		if err := os.MkdirAll(tmp, 0o700); err != nil {
			return EvalAMLResult{}, err
		}
		plain := filepath.Join(tmp, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
		if err := gunzip(path, plain); err != nil {
			return EvalAMLResult{}, err
		}
		defer os.Remove(plain)
		path = plain
	}
	imp, err := a.Import(ctx, ImportRequest{Path: path, Dataset: req.Dataset, Kind: "transactions", Profile: "amlsim", Progress: req.Progress})
	if err != nil {
		return EvalAMLResult{}, err
	}
	if imp.RowsRejected > 0 {
		// Scores over a partial import would look like detector failures.
		return EvalAMLResult{}, fmt.Errorf("import of %s rejected %d of %d rows, so the evaluation would be wrong; see why with: procura rejects --dataset %s",
			req.Transactions, imp.RowsRejected, imp.RowsRead, req.Dataset)
	}
	g, _, err := a.LoadGraph(ctx, req.Dataset, req.Progress)
	if err != nil {
		return EvalAMLResult{}, err
	}
	res, err := funds.Detect(ctx, g, req.Params, nil)
	if err != nil {
		return EvalAMLResult{}, err
	}
	f, err := os.Open(req.Alerts)
	if err != nil {
		return EvalAMLResult{}, fmt.Errorf("alerts: %w", err)
	}
	defer f.Close()
	sar, look, err := funds.ReadAMLSimAlerts(f)
	if err != nil {
		return EvalAMLResult{}, err
	}
	ev := funds.EvaluateAML(res, sar, look, g.AccountsInData(), funds.AMLSimTypologies)
	return EvalAMLResult{Dataset: req.Dataset, RowsImported: imp.RowsImported, Findings: res.Counts, Evaluation: ev, Params: res.Params, Seconds: res.Seconds}, nil
}

func gunzip(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s is not a gzip file: %w", src, err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return fmt.Errorf("decompress %s: %w", src, err)
	}
	return out.Close()
}

// MatchTransfersRequest names two banks' transactions datasets to pair transfers between.
type MatchTransfersRequest struct {
	Out     string // bank A: its outgoing rows are matched
	In      string // bank B: its incoming rows are matched
	Options funds.MatchOptions
}

// MatchTransfers pairs the transfers that left bank A's accounts for bank B's with the rows
// where they arrived (docs/funds.md, "Cross-bank transfer matching").
func (a *App) MatchTransfers(ctx context.Context, req MatchTransfersRequest) (*funds.MatchResult, error) {
	if _, err := a.authorize(ctx, ActTraceRun); err != nil {
		return nil, err
	}
	if req.Out == "" || req.In == "" {
		return nil, errors.New("give both datasets: --out (bank A, money leaving) and --in (bank B, money arriving)")
	}
	read := func(dataset string) ([]funds.BankRow, error) {
		var rows []funds.BankRow
		err := a.st.ScanTransactions(ctx, dataset, 1<<15, func(batch []store.TxRow) error {
			for _, r := range batch {
				rows = append(rows, funds.BankRow{TxID: r.TxID, Account: r.Account, Card: r.Card,
					Counterparty: r.Counterparty, Cents: r.Cents, Unix: r.Unix, Memo: r.Memo})
			}
			return ctx.Err()
		})
		return rows, err
	}
	outs, err := read(req.Out)
	if err != nil {
		return nil, err
	}
	ins, err := read(req.In)
	if err != nil {
		return nil, err
	}
	o := req.Options
	o.Location = a.st.Location()
	res := funds.MatchTransfers(outs, ins, o)
	return res, a.conceal(ctx, res, shown{Object: "transfer_match", ID: req.Out + "," + req.In, Rows: len(res.Matches)}, basePlan)
}
