package ingest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"procura/internal/ident"
	"procura/internal/ingest/schema"
	"procura/internal/store"
)

// cellFunc builds the conversion of one stored column. Empty cells become NULL (or a "required"
// error); a value that is present but wrong is an error naming the column, the value and the fix.
func (c *converter) cellFunc(col column, tp *ident.TimeParser, dp *ident.DateParser) func([]string) (any, *cellError) {
	p := col.plan
	f := p.Field
	fail := func(src int, code, reason string) *cellError {
		hdr := p.Header
		return &cellError{Column: hdr, ColumnNo: src + 1, Code: code, Reason: reason}
	}
	get := func(cells []string, i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return ident.Clean(cells[i])
	}
	required := func() *cellError {
		return fail(p.Source, "required", fmt.Sprintf("%s (%s) is empty but required; fill it in or map another column with --map %s=<column>", f.Name, p.Header, f.Name))
	}

	switch {
	case p.Debit >= 0 || p.Credit >= 0:
		return func(cells []string) (any, *cellError) {
			d, c := get(cells, p.Debit), get(cells, p.Credit)
			if d == "" && c == "" {
				if f.Required {
					return nil, required()
				}
				return nil, nil
			}
			var total int64
			nonZero := 0
			for _, side := range []struct {
				v    string
				src  int
				sign int64
			}{{d, p.Debit, -1}, {c, p.Credit, 1}} {
				if side.v == "" {
					continue
				}
				a, err := ident.ParseAmount(side.v)
				if err != nil {
					return nil, fail(side.src, "invalid_value", reason(err, side.v, "an amount"))
				}
				mag, err := scaled(abs(a.Cents), p.Scale)
				if err != nil {
					return nil, fail(side.src, "invalid_value", err.Error())
				}
				total += side.sign * mag
				if mag != 0 {
					nonZero++
				}
			}
			if nonZero == 2 {
				return nil, fail(p.Debit, "conflict", fmt.Sprintf("both the out column (%s) and the in column (%s) hold an amount; a row moves money one way: check the row", d, c))
			}
			return store.Money(total), nil
		}
	case p.DateFrom >= 0:
		return func(cells []string) (any, *cellError) {
			d, t := get(cells, p.DateFrom), get(cells, p.TimeFrom)
			if d == "" {
				if f.Required {
					return nil, required()
				}
				return nil, nil
			}
			s := d
			if t != "" {
				s = d + " " + t
			}
			v, err := tp.Parse(s)
			if err != nil {
				return nil, fail(p.DateFrom, "invalid_value", reason(err, s, "a date and time"))
			}
			return v, nil
		}
	case p.DirectionFrom >= 0 && f.Type == "money" && c.dirPlan != nil:
		return c.amountWithFlag(p, *c.dirPlan, get, fail, required)
	}

	parse := c.valueParser(p, tp, dp)
	// The identifier parsers clean their input themselves; cleaning twice costs 10% of an
	// import, so their cells are only tested for blankness here.
	read := get
	if selfCleaning[f.Semantic] {
		read = func(cells []string, i int) string {
			if i < 0 || i >= len(cells) || strings.TrimSpace(cells[i]) == "" {
				return ""
			}
			return cells[i]
		}
	}
	return func(cells []string) (any, *cellError) {
		s := read(cells, p.Source)
		if s == "" {
			if f.Required {
				return nil, required()
			}
			return nil, nil
		}
		v, err := parse(s)
		if err != nil {
			return nil, fail(p.Source, "invalid_value", err.Error())
		}
		return v, nil
	}
}

// selfCleaning are the semantic types whose ident parser applies ident.Clean itself.
var selfCleaning = map[string]bool{
	"bank_card": true, "account": true, "phone": true, "imei": true, "imsi": true, "ip": true,
	"mac": true, "email": true, "wallet": true, "company_code": true, "iban": true, "bic": true,
}

// amountWithFlag reads an amount whose sign comes from a separate direction flag (借/贷, D/C).
func (c *converter) amountWithFlag(p, dirPlan schema.ColumnPlan, get func([]string, int) string, fail func(int, string, string) *cellError, required func() *cellError) func([]string) (any, *cellError) {
	return func(cells []string) (any, *cellError) {
		s := get(cells, p.Source)
		if s == "" {
			if p.Field.Required {
				return nil, required()
			}
			return nil, nil
		}
		a, err := ident.ParseAmount(s)
		if err != nil {
			return nil, fail(p.Source, "invalid_value", reason(err, s, "an amount"))
		}
		cents, err := scaled(a.Cents, p.Scale)
		if err != nil {
			return nil, fail(p.Source, "invalid_value", err.Error())
		}
		flag := get(cells, p.DirectionFrom)
		if flag == "" {
			return store.Money(cents), nil
		}
		sign, ok := dirPlan.Direction(flag)
		if !ok {
			return nil, fail(p.DirectionFrom, "invalid_value", fmt.Sprintf("direction flag %q is not one of 借/贷, 出/进, 支出/收入, D/C, DR/CR, +/-; fix the cell or map the column with --map direction=<column>", flag))
		}
		mag := cents
		if mag < 0 {
			if sign > 0 {
				return nil, fail(p.Source, "conflict", fmt.Sprintf("amount %s is negative but the direction flag %q says money came in; check the row", s, flag))
			}
			mag = -mag
		}
		return store.Money(int64(sign) * mag), nil
	}
}

// valueParser returns the parser of one cell by semantic type first (which validates and
// normalises identifiers), then by data type.
func (c *converter) valueParser(p schema.ColumnPlan, tp *ident.TimeParser, dp *ident.DateParser) func(string) (any, error) {
	f := p.Field
	wrap := func(what string, fn func(string) (string, error)) func(string) (any, error) {
		return func(s string) (any, error) {
			v, err := fn(s)
			if err != nil {
				return nil, errors.New(reason(err, s, what))
			}
			return v, nil
		}
	}
	switch f.Semantic {
	case "person_id_number":
		return wrap("a resident ID", normalizePersonID)
	case "bank_card":
		return wrap("a bank card number", func(s string) (string, error) {
			card, err := ident.ParseBankCard(s)
			return card.Number, err
		})
	case "account":
		return wrap("an account number", ident.NormalizeAccount)
	case "phone":
		return wrap("a phone number", func(s string) (string, error) { return ident.ParsePhone(s, c.region) })
	case "imei":
		return wrap("an IMEI", ident.ParseIMEI)
	case "imsi":
		return wrap("an IMSI", func(s string) (string, error) {
			v, err := ident.ParseIMSI(s)
			return v.Number, err
		})
	case "ip":
		return wrap("an IP address", func(s string) (string, error) {
			a, err := ident.ParseIP(s)
			if err != nil {
				return "", err
			}
			return a.String(), nil
		})
	case "mac":
		return wrap("a MAC address", ident.ParseMAC)
	case "email":
		return wrap("an e-mail address", ident.ParseEmail)
	case "wallet":
		return wrap("a crypto wallet address", func(s string) (string, error) {
			w, err := ident.ParseWallet(s)
			return w.Address, err
		})
	case "company_code":
		return wrap("a unified social credit code", ident.ParseUSCC)
	case "iban":
		return wrap("an IBAN", ident.ParseIBAN)
	case "bic":
		return wrap("a BIC", ident.ParseBIC)
	case "direction":
		return func(s string) (any, error) {
			sign, ok := p.Direction(s)
			if !ok {
				return nil, fmt.Errorf("direction flag %q is not one of 借/贷, 出/进, 支出/收入, D/C, DR/CR, +/-; fix the cell or map another column", s)
			}
			if sign < 0 {
				return "out", nil
			}
			return "in", nil
		}
	}
	switch f.Type {
	case "money":
		return func(s string) (any, error) {
			a, err := ident.ParseAmount(s)
			if err != nil {
				return nil, errors.New(reason(err, s, "an amount"))
			}
			cents, err := scaled(a.Cents, p.Scale)
			if err != nil {
				return nil, err
			}
			if p.Sign != 0 {
				cents = int64(p.Sign) * abs(cents)
			}
			return store.Money(cents), nil
		}
	case "timestamp":
		return func(s string) (any, error) {
			t, err := tp.Parse(s)
			if err != nil {
				return nil, errors.New(reason(err, s, "a date and time"))
			}
			return t, nil
		}
	case "date":
		if f.Unit == "month" {
			return func(s string) (any, error) {
				t, err := ident.ParseMonth(s, c.loc)
				if err != nil {
					return nil, errors.New(reason(err, s, "a month"))
				}
				return t, nil
			}
		}
		return func(s string) (any, error) {
			t, err := dp.Parse(s)
			if err != nil {
				return nil, errors.New(reason(err, s, "a date"))
			}
			return t, nil
		}
	case "integer":
		if f.Unit == "second" {
			return func(s string) (any, error) {
				n, ok := schema.ParseDurationSeconds(s)
				if !ok {
					return nil, fmt.Errorf("%q is not a duration (323, 323秒, 00:05:23, 5分23秒); fix the cell or map the column to text", s)
				}
				return scaled(n, p.Scale)
			}
		}
		return func(s string) (any, error) {
			n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a whole number; fix the cell or map the column to text", s)
			}
			return scaled(n, p.Scale)
		}
	case "double":
		return func(s string) (any, error) {
			x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number; fix the cell or map the column to text", s)
			}
			if p.Scale != 0 {
				x *= p.Scale
			}
			if p.Sign != 0 {
				x = float64(p.Sign) * math.Abs(x)
			}
			return x, nil
		}
	case "boolean":
		return func(s string) (any, error) {
			v, ok := schema.ParseBool(s)
			if !ok {
				return nil, fmt.Errorf("%q is not a yes/no value (是/否, Y/N, 1/0); fix the cell or map the column to text", s)
			}
			return v, nil
		}
	}
	if len(f.Values) > 0 || len(p.Values) > 0 {
		// A value outside the vocabulary is kept as written: losing the row would be worse
		// than a value that a model's filter does not recognise.
		return func(s string) (any, error) {
			v, _ := p.Canonical(s)
			return v, nil
		}
	}
	return func(s string) (any, error) { return s, nil }
}

// scaled multiplies n by a header unit's scale (万元 → 10000), refusing overflow.
func scaled(n int64, scale float64) (int64, error) {
	if scale == 0 || scale == 1 {
		return n, nil
	}
	x := float64(n) * scale
	if math.Abs(x) > 9e17 {
		return 0, fmt.Errorf("%d × %g is too large to store", n, scale)
	}
	return int64(math.Round(x)), nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// normalizePersonID validates values shaped like a PRC resident ID (15 or 18 characters of digits,
// the last may be X), accepts unified social credit codes (corporate clients), and keeps other
// identity documents (passports, HK/Macao permits) as cleaned upper-case text: a bank's 证件号码
// column holds all of them.
func normalizePersonID(s string) (string, error) {
	if looksLikeResidentID(s) {
		id, err := ident.ParseResidentID(s)
		if err == nil {
			return id.Number, nil
		}
		// Corporate clients' 证件号码 is their unified social credit code, which can be
		// 18 digits too.
		if len(s) == 18 {
			if code, uerr := ident.ParseUSCC(s); uerr == nil {
				return code, nil
			}
		}
		return "", err
	}
	if len(s) == 18 {
		if code, err := ident.ParseUSCC(s); err == nil {
			return code, nil
		}
	}
	return strings.ToUpper(s), nil
}

func looksLikeResidentID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= '0' && ch <= '9' {
			continue
		}
		if i == len(s)-1 && (ch == 'X' || ch == 'x') {
			continue
		}
		return false
	}
	return true
}

// reason turns a parser error into the text of a reject: the parser's own reason when it has
// one, else a generic statement naming the value and what it should have been.
func reason(err error, value, what string) string {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return ie.Error()
	}
	if err != nil && err.Error() != "" {
		return err.Error()
	}
	return fmt.Sprintf("%q is not %s; fix the cell or map the column to text", value, what)
}
