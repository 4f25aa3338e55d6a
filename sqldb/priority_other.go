//go:build !linux

package sqldb

import "errors"

// raiseWriterPriority is Linux-only (per-thread nice values).
func raiseWriterPriority() error {
	return errors.New("sqldb: raising the writer's priority is supported on Linux only")
}
