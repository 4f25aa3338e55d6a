//go:build !linux

package sqldb

import "errors"

// pinThread is Linux-only (per-thread nice values).
func pinThread(int) error {
	return errors.New("sqldb: raising the writer's priority is supported on Linux only")
}
