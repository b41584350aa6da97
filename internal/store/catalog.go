package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ColumnDef is one column of a dataset: a name and a data type (TypeText ...).
type ColumnDef struct {
	Name, Type string
}

// System columns that precede a dataset's own columns in ds_<name>.
const (
	ColBatch       = "_batch" // import batch id
	ColLine        = "_line"  // line (record number) in the imported file
	ColFingerprint = "_fp"    // row fingerprint computed by the importer
)

// Batch is one imported file with its provenance and counts.
type Batch struct {
	ID                  int64     `json:"id"`
	Dataset             string    `json:"dataset"`
	FileName            string    `json:"file_name"`
	FileSHA256          string    `json:"file_sha256"`
	FileSize            int64     `json:"file_size"`
	Format              string    `json:"format"`
	Encoding            string    `json:"encoding"`
	OptionsJSON         string    `json:"-"`
	SourceAgency        string    `json:"source_agency,omitempty"`
	RequestNo           string    `json:"request_no,omitempty"`
	Importer            string    `json:"importer"`
	Status              string    `json:"status"`
	RowsRead            int64     `json:"rows_read"`
	RowsImported        int64     `json:"rows_imported"`
	RowsRejected        int64     `json:"rows_rejected"`
	RowsDuplicate       int64     `json:"rows_duplicate"`
	RowsDuplicateInFile int64     `json:"rows_duplicate_in_file"`
	StartedAt           time.Time `json:"started_at"`
	FinishedAt          time.Time `json:"finished_at"`
}

// Batch statuses.
const (
	BatchRunning = "running"
	BatchDone    = "done"
	BatchFailed  = "failed"
)

// Reject is an input row that was not imported, and why.
type Reject struct {
	BatchID  int64  `json:"batch_id"`
	Dataset  string `json:"dataset"`
	File     string `json:"file,omitempty"` // the batch's file name; filled by Rejects
	Line     int64  `json:"line"`
	Column   string `json:"column,omitempty"`    // header of the first bad column; "" when the whole row is rejected
	ColumnNo int    `json:"column_no,omitempty"` // 1-based; 0 when the whole row is rejected
	Code     string `json:"code"`
	Reason   string `json:"reason"`
	Raw      string `json:"raw"`
}

// DatasetInfo describes a dataset with its row count and import batches.
type DatasetInfo struct {
	Name, Kind, ColumnsJSON string
	Rows                    int64
	Batches                 []Batch
	CreatedAt, UpdatedAt    time.Time
}

// maxIdentBytes is PostgreSQL's identifier limit; longer names are cut
// silently there, so they are refused on both backends.
const maxIdentBytes = 63

func validateColumns(dataset string, cols []ColumnDef, d Dialect) error {
	seen := map[string]string{}
	for i, c := range cols {
		switch {
		case c.Name == "":
			return fmt.Errorf("dataset %s column %d has no name: name it", dataset, i+1)
		case len(c.Name) > maxIdentBytes:
			return fmt.Errorf("dataset %s column %q is longer than %d bytes: shorten its name", dataset, c.Name, maxIdentBytes)
		case strings.HasPrefix(c.Name, "_"):
			return fmt.Errorf("dataset %s column %q: names starting with _ are reserved for procura's own columns: rename it", dataset, c.Name)
		case strings.IndexFunc(c.Name, unicode.IsControl) >= 0:
			return fmt.Errorf("dataset %s column %q contains a control character: rename it", dataset, c.Name)
		}
		if _, err := d.SQLType(c.Type); err != nil {
			return fmt.Errorf("dataset %s column %q: %w", dataset, c.Name, err)
		}
		// DuckDB matches quoted identifiers case-insensitively.
		key := strings.ToLower(c.Name)
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("dataset %s has two columns named %q and %q: names must differ in more than letter case", dataset, prev, c.Name)
		}
		seen[key] = c.Name
	}
	return nil
}

// tableColumns returns the data types of the columns of table by lower-case
// name, and whether the table exists.
func (tx *Tx) tableColumns(ctx context.Context, table string) (map[string]string, bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, false, err
		}
		cols[strings.ToLower(name)] = tx.s.dialect.DataTypeOf(typ)
	}
	return cols, len(cols) > 0, rows.Err()
}

// EnsureDataset creates the table of dataset name, or adds the columns it
// lacks, and records the dataset in the catalog. A column whose data type
// differs from the stored one is refused.
func (tx *Tx) EnsureDataset(ctx context.Context, name, kind, columnsJSON string, cols []ColumnDef) error {
	d := tx.s.dialect
	if err := ValidateDatasetName(name); err != nil {
		return err
	}
	if err := validateColumns(name, cols, d); err != nil {
		return err
	}
	table := DatasetTable(name)
	tx.datasetsChanged = true
	existing, exists, err := tx.tableColumns(ctx, table)
	if err != nil {
		return fmt.Errorf("dataset %s: read its columns: %w", name, err)
	}
	var ddl []string
	if !exists {
		defs := []string{
			d.Quote(ColBatch) + " BIGINT NOT NULL",
			d.Quote(ColLine) + " BIGINT NOT NULL",
			d.Quote(ColFingerprint) + " BIGINT NOT NULL",
		}
		for _, c := range cols {
			t, _ := d.SQLType(c.Type)
			defs = append(defs, d.Quote(c.Name)+" "+t)
		}
		ddl = append(ddl, "CREATE TABLE "+d.Quote(table)+" (\n    "+strings.Join(defs, ",\n    ")+"\n)")
	} else {
		for _, c := range cols {
			have, ok := existing[strings.ToLower(c.Name)]
			if !ok {
				t, _ := d.SQLType(c.Type)
				ddl = append(ddl, "ALTER TABLE "+d.Quote(table)+" ADD COLUMN "+d.Quote(c.Name)+" "+t)
				continue
			}
			if have != c.Type {
				if have == "" {
					have = "a type procura does not use"
				}
				return fmt.Errorf("dataset %s column %q is stored as %s but the schema now says %s: keep the type %s in the schema, or import into a new dataset",
					name, c.Name, have, c.Type, have)
			}
		}
	}
	for _, st := range ddl {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("dataset %s: %w", name, err)
		}
	}
	var kindArg any
	if kind != "" {
		kindArg = kind
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO datasets (name, kind, table_name, columns_json, created_at, updated_at)
		VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, columns_json = excluded.columns_json,
			updated_at = excluded.updated_at`,
		name, kindArg, table, columnsJSON)
	if err != nil {
		return fmt.Errorf("dataset %s: record it in the catalog: %w", name, err)
	}
	return nil
}

// NextBatchID reserves the id of a new import batch.
func (tx *Tx) NextBatchID(ctx context.Context) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT nextval('import_batches_id_seq')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("reserve batch id: %w", err)
	}
	return id, nil
}

const batchColumns = `id, dataset, file_name, file_sha256, file_size, format, encoding, options_json,
	source_agency, request_no, importer, started_at, finished_at, rows_read, rows_imported,
	rows_rejected, rows_duplicate, rows_duplicate_in_file, status`

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func batchArgs(b Batch) []any {
	return []any{b.ID, b.Dataset, b.FileName, b.FileSHA256, b.FileSize, b.Format, b.Encoding, b.OptionsJSON,
		b.SourceAgency, b.RequestNo, b.Importer, nullTime(b.StartedAt), nullTime(b.FinishedAt), b.RowsRead,
		b.RowsImported, b.RowsRejected, b.RowsDuplicate, b.RowsDuplicateInFile, b.Status}
}

// InsertBatch records a new import batch; b.ID comes from NextBatchID.
func (tx *Tx) InsertBatch(ctx context.Context, b Batch) error {
	if b.ID <= 0 {
		return errors.New("insert batch: no id: reserve one with NextBatchID")
	}
	if b.OptionsJSON == "" {
		b.OptionsJSON = "{}"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO import_batches (`+batchColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		batchArgs(b)...)
	if err != nil {
		return fmt.Errorf("record batch %d (file %s): %w", b.ID, b.FileName, err)
	}
	return nil
}

// UpdateBatch rewrites every field of batch b.ID.
func (tx *Tx) UpdateBatch(ctx context.Context, b Batch) error {
	if b.OptionsJSON == "" {
		b.OptionsJSON = "{}"
	}
	res, err := tx.ExecContext(ctx, `UPDATE import_batches SET dataset = $2, file_name = $3, file_sha256 = $4,
		file_size = $5, format = $6, encoding = $7, options_json = $8, source_agency = $9, request_no = $10,
		importer = $11, started_at = $12, finished_at = $13, rows_read = $14, rows_imported = $15,
		rows_rejected = $16, rows_duplicate = $17, rows_duplicate_in_file = $18, status = $19
		WHERE id = $1`, batchArgs(b)...)
	if err != nil {
		return fmt.Errorf("update batch %d: %w", b.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("update batch %d: no such batch", b.ID)
	}
	return nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanBatch(r rowScanner) (Batch, error) {
	var b Batch
	var started, finished sql.NullTime
	err := r.Scan(&b.ID, &b.Dataset, &b.FileName, &b.FileSHA256, &b.FileSize, &b.Format, &b.Encoding,
		&b.OptionsJSON, &b.SourceAgency, &b.RequestNo, &b.Importer, &started, &finished, &b.RowsRead,
		&b.RowsImported, &b.RowsRejected, &b.RowsDuplicate, &b.RowsDuplicateInFile, &b.Status)
	b.StartedAt, b.FinishedAt = started.Time, finished.Time
	return b, err
}

// BatchBySHA finds a completed batch of dataset that imported the file with
// the given SHA-256, so the same file is not imported twice.
func (s *Store) BatchBySHA(ctx context.Context, dataset, sha string) (Batch, bool, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM import_batches
		WHERE dataset = $1 AND file_sha256 = $2 AND status = $3 ORDER BY id LIMIT 1`, dataset, sha, BatchDone)
	b, err := scanBatch(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, false, nil
	}
	if err != nil {
		return Batch{}, false, fmt.Errorf("look up batch of file %s: %w", sha, err)
	}
	return b, true, nil
}

// Batch returns import batch id.
func (s *Store) Batch(ctx context.Context, id int64) (Batch, error) {
	b, err := scanBatch(s.db.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM import_batches WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, fmt.Errorf("batch %d does not exist", id)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("read batch %d: %w", id, err)
	}
	return b, nil
}

// DatasetSchemas lists the datasets' names, kinds and schemas (ColumnsJSON) by name, in one
// query, without the row counts and batches Datasets adds.
func (s *Store) DatasetSchemas(ctx context.Context) ([]DatasetInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, kind, columns_json FROM datasets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list dataset schemas: %w", err)
	}
	defer rows.Close()
	var out []DatasetInfo
	for rows.Next() {
		var di DatasetInfo
		var kind sql.NullString
		if err := rows.Scan(&di.Name, &kind, &di.ColumnsJSON); err != nil {
			return nil, fmt.Errorf("list dataset schemas: %w", err)
		}
		di.Kind = kind.String
		out = append(out, di)
	}
	return out, rows.Err()
}

// Datasets lists the datasets with their row counts and batches, by name.
func (s *Store) Datasets(ctx context.Context) ([]DatasetInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, kind, columns_json, created_at, updated_at FROM datasets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	var out []DatasetInfo
	for rows.Next() {
		var di DatasetInfo
		var kind sql.NullString
		if err := rows.Scan(&di.Name, &kind, &di.ColumnsJSON, &di.CreatedAt, &di.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list datasets: %w", err)
		}
		di.Kind = kind.String
		out = append(out, di)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	index := map[string]int{}
	for i := range out {
		index[out[i].Name] = i
		q := `SELECT count(*) FROM ` + s.dialect.Quote(DatasetTable(out[i].Name))
		if err := s.db.QueryRowContext(ctx, q).Scan(&out[i].Rows); err != nil {
			return nil, fmt.Errorf("count rows of dataset %s: %w", out[i].Name, err)
		}
	}
	brows, err := s.db.QueryContext(ctx, `SELECT `+batchColumns+` FROM import_batches ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	defer brows.Close()
	for brows.Next() {
		b, err := scanBatch(brows)
		if err != nil {
			return nil, fmt.Errorf("list batches: %w", err)
		}
		if i, ok := index[b.Dataset]; ok {
			out[i].Batches = append(out[i].Batches, b)
		}
	}
	return out, brows.Err()
}
