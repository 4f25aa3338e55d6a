package sqldb

import (
	"strconv"
	"strings"
)

// InList returns the placeholders and arguments of an IN (...) list of ids:
// "?,?,?" and the ids as []any. ids must not be empty.
func InList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// JoinIDs writes ids as one text column: "12,34,56".
func JoinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// SplitIDs reads a column JoinIDs wrote, skipping anything not an id.
func SplitIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
