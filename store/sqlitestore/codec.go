package sqlitestore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Times are stored as INTEGER microseconds since the Unix epoch (the
// precision the stores promise), NULL for the zero time.
func micros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// fromMicros turns a stored time back into a UTC time.Time.
func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// jsonText encodes a slice stored in a JSON column. A nil slice is stored
// as null and an empty one as [], so both come back as they went in.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only strings, subjects and trainings are stored this way; they
		// always marshal.
		panic(fmt.Sprintf("sqlitestore: marshal %T: %v", v, err))
	}
	return string(b)
}

// fromJSON decodes a JSON column into dst.
func fromJSON(col, s string, dst any) error {
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return fmt.Errorf("sqlitestore: decode %s: %w", col, err)
	}
	return nil
}

// foldKey maps s to a key that is equal for two names exactly when
// strings.EqualFold says they are: every rune becomes the smallest rune of
// its simple case-folding orbit. Unique indexes on it make names unique
// ignoring case, for all of Unicode rather than SQLite's ASCII-only NOCASE.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		b.WriteRune(low)
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sweepMicros encodes Item.SweepAt, the one time column that is never
// NULL: the zero time is 0, so that "zero or not after now" is the single
// range sweep_at <= now over its index. A SweepAt of exactly the Unix epoch
// reads back as zero; both mean "due now" to the sweep.
func sweepMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromSweepMicros decodes sweep_at.
func fromSweepMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}
