package sqldb

import "strings"

// InList returns the placeholders and arguments of an IN (...) list of ids:
// "?,?,?" and the ids as []any. ids must not be empty.
func InList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}
