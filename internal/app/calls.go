package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"procura/internal/calls"
	"procura/internal/ident"
	"procura/internal/store"
)

// CallsRequest asks for the call-record analyses of a calls dataset.
type CallsRequest struct {
	Dataset      string   // a dataset of kind calls
	Transactions string   // a transactions dataset for call → payment links ("" = none)
	Numbers      []string // numbers to focus on, as typed (+86 optional)
	Suspicious   []string // numbers to treat as suspect callers besides SIM-box numbers
	Options      calls.Options
}

// CallsResult is the answer of CallsAnalyze.
type CallsResult struct {
	*calls.Report
	Sources []string `json:"phone_account_sources,omitempty"` // dataset.column pairs that tie numbers to accounts
}

// CallsAnalyze runs the call-record analyses: top contacts, common contacts, call → payment
// links, SIM boxes, co-location and timelines.
func (a *App) CallsAnalyze(ctx context.Context, req CallsRequest) (CallsResult, error) {
	if _, err := a.authorize(ctx, ActGraphRead); err != nil {
		return CallsResult{}, err
	}
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return CallsResult{}, err
	}
	cols := map[string][]DatasetColumn{}
	kinds := map[string]string{}
	var names []string
	for _, d := range infos {
		var sch struct {
			Columns []DatasetColumn `json:"columns"`
		}
		if d.ColumnsJSON != "" {
			if err := json.Unmarshal([]byte(d.ColumnsJSON), &sch); err != nil {
				return CallsResult{}, fmt.Errorf("dataset %s: stored schema is unreadable: %w", d.Name, err)
			}
		}
		cols[d.Name], kinds[d.Name] = sch.Columns, d.Kind
		names = append(names, d.Name)
	}
	if req.Dataset == "" {
		for _, n := range names {
			if kinds[n] == "calls" {
				req.Dataset = n
				break
			}
		}
	}
	if kinds[req.Dataset] != "calls" {
		return CallsResult{}, fmt.Errorf("%w: %q is not a calls dataset; import call records with --kind calls (datasets: %s)", ErrInvalid, req.Dataset, strings.Join(names, ", "))
	}
	o := req.Options
	o.Numbers, o.Suspicious = phones(req.Numbers), phones(req.Suspicious)
	res := CallsResult{}
	if req.Transactions != "" {
		if kinds[req.Transactions] != "transactions" {
			return CallsResult{}, fmt.Errorf("%w: %q is not a transactions dataset; datasets: %s", ErrInvalid, req.Transactions, strings.Join(names, ", "))
		}
		o.Payments = &calls.Payments{Dataset: req.Transactions, Columns: columnNames(cols[req.Transactions])}
		for _, n := range names {
			if n != req.Dataset {
				res.Sources = append(res.Sources, phoneAccountSources(o.Payments, n, kinds[n], cols[n])...)
			}
		}
	}
	rep, err := calls.Analyze(ctx, a.st, calls.Source{Dataset: req.Dataset, Columns: columnNames(cols[req.Dataset])}, o)
	if err != nil {
		return CallsResult{}, err
	}
	res.Report = rep
	return res, a.conceal(ctx, &res, shown{Object: "calls", ID: req.Dataset}, basePlan)
}

var _ calls.DB = (*store.Store)(nil)

func columnNames(cs []DatasetColumn) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// phones writes numbers as the importer stores them (E.164), leaving what does not parse.
func phones(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x == "" {
			continue
		}
		if p, err := ident.ParsePhone(x, "CN"); err == nil {
			x = p
		}
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// phoneAccountSources adds the columns of one dataset that tie a phone number, an account and
// a holder's identity number together (a SIM register, persons, accounts, statements, case
// parties) to p, and describes them. Counterparty columns describe someone else and are left out.
func phoneAccountSources(p *calls.Payments, dataset, kind string, cols []DatasetColumn) []string {
	var phoneCols, acctCols []string
	holder := ""
	for _, c := range cols {
		n := strings.ToLower(c.Name)
		if strings.HasPrefix(n, "counterparty") || strings.HasPrefix(n, "legal_rep") {
			continue
		}
		switch {
		case c.Semantic == "phone":
			phoneCols = append(phoneCols, c.Name)
		case c.Semantic == "account" || c.Semantic == "bank_card":
			acctCols = append(acctCols, c.Name)
		case holder == "" && (c.Semantic == "person_id_number" || c.Semantic == "company_code" ||
			(c.Semantic == "text" && (strings.HasSuffix(n, "id_number") || strings.Contains(n, "身份证") || strings.Contains(n, "证件号")))):
			holder = c.Name
		}
	}
	var out []string
	if holder != "" {
		for _, ph := range phoneCols {
			p.PhoneHolders = append(p.PhoneHolders, calls.PhoneHolder{Dataset: dataset, Phone: ph, Holder: holder})
			out = append(out, dataset+"."+ph+"~"+holder)
		}
		for _, ac := range acctCols {
			p.AccountHolder = append(p.AccountHolder, calls.AccountHolder{Dataset: dataset, Account: ac, Holder: holder})
			out = append(out, dataset+"."+ac+"~"+holder)
		}
	}
	if kind == "accounts" {
		for _, ph := range phoneCols {
			for _, ac := range acctCols {
				p.PhoneAccounts = append(p.PhoneAccounts, calls.PhoneAccount{Dataset: dataset, Phone: ph, Account: ac})
				out = append(out, dataset+"."+ph+"~"+ac)
			}
		}
	}
	return out
}
