package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"procura/internal/progress"
	"procura/internal/resolve"
	"procura/internal/store"
)

// ResolveRequest names the records to resolve: a dataset of the workspace or a CSV file.
type ResolveRequest struct {
	Dataset   string   // a workspace dataset, or
	File      string   // a CSV file with a header row
	IDColumn  string   // column holding the record id (default person_id, else the line number)
	Fields    []string // resolve.FieldName …; empty = every field the records carry
	Threshold float64  // match probability a link needs (default 0.9)
	Progress  progress.Reporter
}

// ResolveResult is a resolution with where its records came from.
type ResolveResult struct {
	Source  string            `json:"source"`
	Columns map[string]string `json:"columns"` // record part → column it was read from
	*resolve.Result
}

// recordParts maps a column header to the part of a resolve.Record it fills. Headers are
// compared in lower case with spaces and dashes as underscores; these are the persons kind's
// field names and the names Febrl, Splink and common exports use.
var recordParts = map[string]string{
	"name": "name", "full_name": "name", "姓名": "name",
	"surname": "surname", "last_name": "surname", "family_name": "surname", "姓": "surname",
	"given_name": "given", "first_name": "given", "forename": "given", "名": "given",
	"id_number": "id_number", "soc_sec_id": "id_number", "ssn": "id_number", "national_id": "id_number", "身份证号": "id_number", "证件号码": "id_number",
	"birth_date": "dob", "dob": "dob", "date_of_birth": "dob", "出生日期": "dob",
	"phone": "phone", "mobile": "phone", "phone_number": "phone", "手机号": "phone", "联系电话": "phone",
	"email": "email", "e_mail": "email", "邮箱": "email",
	"address": "address", "住址": "address", "地址": "address", "street_number": "address", "address_1": "address", "address_2": "address",
	"city": "city", "suburb": "city", "town": "city", "城市": "city",
	"postcode": "postcode", "zip": "postcode", "zip_code": "postcode", "邮编": "postcode",
}

// fieldsOfPart says which resolve field a record part feeds, for --fields.
var fieldsOfPart = map[string]string{"name": resolve.FieldName, "surname": resolve.FieldName, "given": resolve.FieldName,
	"id_number": resolve.FieldIDNumber, "dob": resolve.FieldDOB, "phone": resolve.FieldPhone, "email": resolve.FieldEmail,
	"address": resolve.FieldAddress, "city": resolve.FieldCity, "postcode": resolve.FieldPostcode}

func headerKey(h string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
}

// recordMapper turns rows into records given the header.
type recordMapper struct {
	id      int
	parts   map[string][]int // part → columns, in header order (address parts are joined)
	columns map[string]string
}

func newRecordMapper(header []string, idColumn string, semantic map[string]string) (*recordMapper, error) {
	m := &recordMapper{id: -1, parts: map[string][]int{}, columns: map[string]string{}}
	for i, h := range header {
		k := headerKey(h)
		if idColumn != "" && (h == idColumn || k == headerKey(idColumn)) {
			m.id = i
			continue
		}
		part, ok := recordParts[k]
		if !ok {
			part, ok = semanticParts[semantic[h]]
		}
		if !ok {
			continue
		}
		if part != "address" && len(m.parts[part]) > 0 {
			continue // the first column of a part wins
		}
		m.parts[part] = append(m.parts[part], i)
		m.columns[part] = strings.TrimPrefix(m.columns[part]+"+"+h, "+")
	}
	if idColumn != "" && m.id < 0 {
		return nil, fmt.Errorf("id column %q is not in the header (%s); name one of those columns with --id-column", idColumn, strings.Join(header, ", "))
	}
	if m.id < 0 {
		for i, h := range header {
			switch headerKey(h) {
			case "person_id", "rec_id", "unique_id", "id", "record_id":
				m.id = i
			}
			if m.id >= 0 {
				break
			}
		}
	}
	if m.id >= 0 {
		m.columns["id"] = header[m.id]
	}
	if len(m.parts) == 0 {
		return nil, fmt.Errorf("no column looks like a name, birth date, identifier, phone, e-mail or address (header: %s); rename the columns or import the file as kind persons", strings.Join(header, ", "))
	}
	return m, nil
}

// semanticParts maps dataset semantic types to record parts, for datasets whose column names
// are not among recordParts.
var semanticParts = map[string]string{"person_name": "name", "person_id_number": "id_number", "phone": "phone", "email": "email", "address": "address"}

func (m *recordMapper) record(row []string, n int) resolve.Record {
	get := func(part string) string {
		var vals []string
		for _, i := range m.parts[part] {
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				vals = append(vals, strings.TrimSpace(row[i]))
			}
		}
		return strings.Join(vals, " ")
	}
	r := resolve.Record{Name: get("name"), Given: get("given"), Surname: get("surname"), BirthDate: get("dob"), IDNumber: get("id_number"),
		Phone: get("phone"), Email: get("email"), Address: get("address"), City: get("city"), Postcode: get("postcode")}
	if m.id >= 0 && m.id < len(row) {
		r.ID = strings.TrimSpace(row[m.id])
	}
	if r.ID == "" {
		r.ID = strconv.Itoa(n)
	}
	return r
}

func (m *recordMapper) checkFields(fields []string) error {
	have := map[string]bool{}
	for part := range m.parts {
		have[fieldsOfPart[part]] = true
	}
	for _, f := range fields {
		if !slices.Contains(resolve.AllFields, f) {
			return fmt.Errorf("field %q is not one resolve compares; choose from %s", f, strings.Join(resolve.AllFields, ","))
		}
		if !have[f] {
			return fmt.Errorf("field %s: no column carries it (columns used: %v); drop it from --fields or map a column", f, m.columns)
		}
	}
	return nil
}

// ResolveFile resolves the person records of a CSV file; it needs no workspace.
func ResolveFile(ctx context.Context, req ResolveRequest) (ResolveResult, error) {
	f, err := os.Open(req.File)
	if err != nil {
		return ResolveResult{}, fmt.Errorf("open %s: %w", req.File, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return ResolveResult{}, fmt.Errorf("%s: cannot read a header row: %w", req.File, err)
	}
	m, err := newRecordMapper(header, req.IDColumn, nil)
	if err != nil {
		return ResolveResult{}, fmt.Errorf("%s: %w", req.File, err)
	}
	if err := m.checkFields(req.Fields); err != nil {
		return ResolveResult{}, err
	}
	var recs []resolve.Record
	for line := 2; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ResolveResult{}, fmt.Errorf("%s line %d: %w", req.File, line, err)
		}
		recs = append(recs, m.record(row, line))
	}
	res, err := resolve.Resolve(ctx, recs, resolve.Options{Fields: req.Fields, Threshold: req.Threshold, Progress: req.Progress})
	if err != nil {
		return ResolveResult{}, err
	}
	return ResolveResult{Source: req.File, Columns: m.columns, Result: res}, nil
}

// Resolve resolves the person records of a workspace dataset, or of a file when req.File is set.
func (a *App) Resolve(ctx context.Context, req ResolveRequest) (ResolveResult, error) {
	if _, err := a.authorize(ctx, ActResolveRun); err != nil {
		return ResolveResult{}, err
	}
	if req.File != "" {
		res, err := ResolveFile(ctx, req)
		if err != nil {
			return res, err
		}
		return res, a.conceal(ctx, &res, shown{Object: "resolve", ID: req.File, Rows: len(res.Clusters)}, basePlan)
	}
	recs, m, err := a.personRecords(ctx, req.Dataset, req.IDColumn)
	if err != nil {
		return ResolveResult{}, err
	}
	if err := m.checkFields(req.Fields); err != nil {
		return ResolveResult{}, err
	}
	res, err := resolve.Resolve(ctx, recs, resolve.Options{Fields: req.Fields, Threshold: req.Threshold, Progress: req.Progress})
	if err != nil {
		return ResolveResult{}, err
	}
	if err := a.saveResolved(ctx, req.Dataset, recs, res); err != nil { // the entity graph merges persons by it
		return ResolveResult{}, err
	}
	out := ResolveResult{Source: "dataset " + req.Dataset, Columns: m.columns, Result: res}
	return out, a.conceal(ctx, &out, shown{Object: "resolve", ID: req.Dataset, Rows: len(res.Clusters)}, basePlan)
}

// personRecords reads a dataset's person-like columns as records.
func (a *App) personRecords(ctx context.Context, dataset, idColumn string) ([]resolve.Record, *recordMapper, error) {
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return nil, nil, err
	}
	var info *store.DatasetInfo
	var names []string
	for i := range infos {
		names = append(names, infos[i].Name)
		if infos[i].Name == dataset {
			info = &infos[i]
		}
	}
	if info == nil {
		return nil, nil, fmt.Errorf("dataset %q does not exist; datasets: %s", dataset, strings.Join(names, ", "))
	}
	var sch struct {
		Columns []DatasetColumn `json:"columns"`
	}
	if err := json.Unmarshal([]byte(info.ColumnsJSON), &sch); err != nil {
		return nil, nil, fmt.Errorf("dataset %s: stored schema is unreadable: %w", dataset, err)
	}
	header := make([]string, len(sch.Columns))
	semantic := map[string]string{}
	for i, c := range sch.Columns {
		header[i] = c.Name
		semantic[c.Name] = c.Semantic
	}
	m, err := newRecordMapper(header, idColumn, semantic)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset %s: %w", dataset, err)
	}
	var recs []resolve.Record
	err = a.st.ScanText(ctx, dataset, header, 50_000, func(rows [][]string) error {
		for _, row := range rows {
			recs = append(recs, m.record(row, len(recs)+1))
		}
		return nil
	})
	return recs, m, err
}
