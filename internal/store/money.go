package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Money is an amount in minor units (fen, cents). It is stored as
// DECIMAL(18,2), so it never suffers binary floating-point rounding.
type Money int64

// String formats m with two decimals, e.g. "-1234.50".
func (m Money) String() string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = uint64(-m)
	}
	s := strconv.FormatUint(u/100, 10) + "." + fmt.Sprintf("%02d", u%100)
	if neg {
		return "-" + s
	}
	return s
}

// Value lets a Money be a query parameter.
func (m Money) Value() (driver.Value, error) { return m.String(), nil }

// Scan reads a DECIMAL(18,2) column as either driver returns it.
func (m *Money) Scan(src any) error {
	switch v := src.(type) {
	case duckdb.Decimal:
		if v.Value == nil {
			return errors.New("scan money: empty decimal")
		}
		x := new(big.Int).Set(v.Value)
		switch {
		case v.Scale < 2:
			x.Mul(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(2-v.Scale)), nil))
		case v.Scale > 2:
			x.Quo(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.Scale-2)), nil))
		}
		if !x.IsInt64() {
			return fmt.Errorf("scan money: %s is out of range", v.String())
		}
		*m = Money(x.Int64())
		return nil
	case string:
		p, err := ParseMoney(v)
		*m = p
		return err
	case []byte:
		p, err := ParseMoney(string(v))
		*m = p
		return err
	case int64:
		*m = Money(v * 100)
		return nil
	case float64:
		p, err := ParseMoney(strconv.FormatFloat(v, 'f', 2, 64))
		*m = p
		return err
	case nil:
		return errors.New("scan money: the value is NULL; scan into sql.Null[store.Money]")
	}
	return fmt.Errorf("scan money: unsupported %T", src)
}

// ParseMoney reads a plain decimal such as "-1234.5" or "12.34".
func ParseMoney(s string) (Money, error) {
	t := strings.TrimSpace(s)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "-"), "+")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, fmt.Errorf("%q has more than two decimals", s)
		}
		frac = frac[:2]
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || strings.ContainsAny(whole+frac, "+-") || w > (1<<63-1)/100-1 {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	v := Money(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}
