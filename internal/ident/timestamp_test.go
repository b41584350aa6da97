package ident

import (
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

func TestParseTimestamp(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{name: "ISO with space", in: "2024-01-02 15:04:05", want: "2024-01-02T15:04:05+08:00"},
		{name: "slashes without padding and seconds", in: "2024/1/2 15:04", want: "2024-01-02T15:04:00+08:00"},
		{name: "compact 14 digits", in: "20240102150405", want: "2024-01-02T15:04:05+08:00"},
		{name: "compact 12 digits", in: "202401021504", want: "2024-01-02T15:04:00+08:00"},
		{name: "compact with space", in: "20240102 150405", want: "2024-01-02T15:04:05+08:00"},
		{name: "compact with milliseconds", in: "20240102150405123", want: "2024-01-02T15:04:05.123+08:00"},
		{name: "UTC", in: "2024-01-02T15:04:05Z", want: "2024-01-02T23:04:05+08:00"},
		{name: "offset", in: "2024-01-02T15:04:05+08:00", want: "2024-01-02T15:04:05+08:00"},
		{name: "negative offset without colon", in: "2024-01-02 15:04:05 -0500", want: "2024-01-03T04:04:05+08:00"},
		{name: "Chinese", in: "2024年1月2日 15时04分05秒", want: "2024-01-02T15:04:05+08:00"},
		{name: "Chinese without space", in: "2024年01月02日15:04:05", want: "2024-01-02T15:04:05+08:00"},
		{name: "Chinese hour and minute", in: "2024年1月2日 15时04分", want: "2024-01-02T15:04:00+08:00"},
		{name: "milliseconds", in: "2024-01-02 15:04:05.123", want: "2024-01-02T15:04:05.123+08:00"},
		{name: "nanoseconds and more", in: "2024-01-02 15:04:05.1234567891", want: "2024-01-02T15:04:05.123456789+08:00"},
		{name: "dots", in: "2024.01.02 15:04:05", want: "2024-01-02T15:04:05+08:00"},
		{name: "afternoon marker", in: "2024/1/2 下午3:04:05", want: "2024-01-02T15:04:05+08:00"},
		{name: "morning 12 is midnight", in: "2024/1/2 上午12:30", want: "2024-01-02T00:30:00+08:00"},
		{name: "PM marker", in: "2024-01-02 03:04:05 PM", want: "2024-01-02T15:04:05+08:00"},
		{name: "date alone is midnight", in: "2024-01-02", want: "2024-01-02T00:00:00+08:00"},
		{name: "Excel serial with time", in: "45293.6354", want: "2024-01-02T15:14:58.56+08:00"},
		{name: "Excel serial exact quarter hour", in: "45293.635416666664", want: "2024-01-02T15:15:00+08:00"},
		{name: "Excel serial date", in: "45293", want: "2024-01-02T00:00:00+08:00"},
		// Shanghai kept local mean time (+08:05:43) until 1928.
		{name: "Excel serial before the 1900 leap bug", in: "59", want: "1900-02-28T00:00:00+08:05"},
		{name: "Excel serial after the 1900 leap bug", in: "61", want: "1900-03-01T00:00:00+08:05"},
		{name: "full-width", in: "２０２４－０１－０２　１５：０４：０５", want: "2024-01-02T15:04:05+08:00"},
		{name: "Excel quoting", in: `="2024-01-02 15:04:05"`, want: "2024-01-02T15:04:05+08:00"},
		{name: "English month", in: "02-Jan-2024 15:04:05", want: "2024-01-02T15:04:05+08:00"},
		{name: "RFC 1123", in: "Tue, 02 Jan 2024 07:04:05 GMT", want: "2024-01-02T15:04:05+08:00"},
		{name: "month 13", in: "2024-13-02 15:04:05", errs: "month 13 does not exist"},
		{name: "February 30", in: "2024-02-30", errs: "day 30 does not exist"},
		{name: "hour 24", in: "2024-01-02 24:00:00", errs: "does not exist"},
		{name: "placeholder year", in: "0001-01-01 00:00:00", errs: "not plausible"},
		{name: "Excel leap bug day", in: "60", errs: "1900-02-29"},
		{name: "year alone", in: "2024", errs: "year only"},
		{name: "day first is not guessed", in: "02/01/2024", errs: "not a recognised"},
		{name: "text", in: "yesterday", errs: "not a recognised"},
		{name: "trailing junk", in: "2024-01-02 15:04:05 xyz", errs: "not a recognised"},
		{name: "empty", in: "", errs: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in, shanghai)
			if tt.errs != "" {
				wantErr(t, err, "timestamp", tt.errs)
				return
			}
			if err != nil || got.Format(time.RFC3339Nano) != tt.want {
				t.Errorf("ParseTimestamp(%q) = %s, %v; want %s", tt.in, got.Format(time.RFC3339Nano), err, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{name: "ISO", in: "2024-01-02", want: "2024-01-02"},
		{name: "slashes", in: "2024/1/2", want: "2024-01-02"},
		{name: "compact", in: "20240102", want: "2024-01-02"},
		{name: "Chinese", in: "2024年1月2日", want: "2024-01-02"},
		{name: "dots", in: "2024.01.02", want: "2024-01-02"},
		{name: "Excel serial", in: "45293", want: "2024-01-02"},
		{name: "midnight time is accepted", in: "2024-01-02 00:00:00", want: "2024-01-02"},
		{name: "leap day", in: "2024-02-29", want: "2024-02-29"},
		{name: "time of day", in: "2024-01-02 15:04:05", errs: "date 2024-01-02 15:04:05: has a time of day"},
		{name: "Excel serial with time", in: "45293.6354", errs: "time of day"},
		{name: "not a leap year", in: "2023-02-29", errs: "date 2023-02-29: day 29 does not exist"},
		{name: "empty", in: "", errs: "date: the value is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in, shanghai)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
				return
			}
			if err != nil || got.Format(time.DateOnly) != tt.want || got.Location() != shanghai || got.Hour() != 0 {
				t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestTimeParserTriesTheLastShapeFirst(t *testing.T) {
	p := NewTimeParser(shanghai)
	if _, err := p.Parse("20240102150405"); err != nil {
		t.Fatal(err)
	}
	if p.last != 1 {
		t.Fatalf("after a compact value, last = %d, want the compact shape (1)", p.last)
	}
	if _, err := p.Parse("2024-01-02 15:04:05"); err != nil {
		t.Fatal(err)
	}
	if p.last != 0 {
		t.Fatalf("after a delimited value, last = %d, want 0", p.last)
	}
	if _, err := p.Parse("not a time"); err == nil || p.last != 0 {
		t.Fatalf("a failure changed last to %d", p.last)
	}
}

func TestTimeParserDefaultsToUTC(t *testing.T) {
	got, err := NewTimeParser(nil).Parse("2024-01-02 15:04:05")
	if err != nil || got.Location() != time.UTC || got.Hour() != 15 {
		t.Errorf("%v %v", got, err)
	}
}
