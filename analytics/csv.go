package analytics

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// WriteCSV writes rows as CSV (RFC 4180: comma-separated, CRLF line ends,
// fields quoted when they need it). The first record is a header of the
// rows' JSON field names (fields of embedded structs included, as
// encoding/json flattens them), so a CSV export has the columns of the
// JSON answer, in the same order; the header is written even when there
// are no rows.
//
// Cells are written plainly, for spreadsheets and scripts alike: whole
// numbers in decimal and other numbers as the shortest decimal that reads
// back the same, both without thousands separators or exponents; booleans
// as true and false; times in RFC 3339 (UTC, fractions of a second only
// when there are some) and the zero time as an empty cell; a null pointer
// as an empty cell; lists of text joined with "; ".
//
// Text that a spreadsheet would take for a formula is defused (CSV, or
// formula, injection: a buyer's address or a search query such as
// =HYPERLINK(...) must not run when an analyst opens the export): a text
// cell that begins with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe, which spreadsheets show as text and do not display.
// So a search for "-draft" is exported as '-draft. Numbers, which the
// report computes, are never changed.
//
// T must be a struct type whose fields are text, numbers, booleans, times,
// pointers to those, or lists of text; WriteCSV panics on others (a
// programming error).
func WriteCSV[T any](w io.Writer, rows []T) error {
	cols := csvColumns(reflect.TypeFor[T]())
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		v := reflect.ValueOf(r)
		for i, c := range cols {
			rec[i] = csvCell(v.FieldByIndex(c.index))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvColumn is one column: its JSON name and where its field is.
type csvColumn struct {
	name  string
	index []int
}

// csvColumns lists t's columns the way encoding/json names its fields:
// the json tag's name, or the field name; "-" and unexported fields are
// left out; untagged embedded structs are flattened.
func csvColumns(t reflect.Type) []csvColumn {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("analytics: WriteCSV of %s, not a struct", t))
	}
	var out []csvColumn
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for _, c := range csvColumns(f.Type) {
				out = append(out, csvColumn{name: c.name, index: append([]int{i}, c.index...)})
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		checkCSVType(f.Type)
		out = append(out, csvColumn{name: name, index: []int{i}})
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func checkCSVType(t reflect.Type) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return
	}
	panic(fmt.Sprintf("analytics: WriteCSV cannot write a %s", t))
}

// csvCell formats one value (see WriteCSV).
func csvCell(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	switch v.Kind() {
	case reflect.String:
		return DefuseCSV(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = v.Index(i).String()
		}
		return DefuseCSV(strings.Join(parts, "; "))
	}
	panic(fmt.Sprintf("analytics: WriteCSV cannot write a %s", v.Type()))
}

// DefuseCSV returns text as a spreadsheet will show it and never evaluate
// it: with a leading apostrophe when it begins with =, +, -, @, a tab or a
// carriage return (see WriteCSV).
func DefuseCSV(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
