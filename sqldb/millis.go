package sqldb

import "time"

// Times are stored as integer milliseconds since 1970 (UTC) on every store.

// Millis is t as stored.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time reads a stored time; 0 (never set) is the zero time.
func Time(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
