package sqldb

import "testing"

// The memory statistics were off before any connection opened: sqlite3_config
// answers SQLITE_MISUSE once the library is initialised, so this also fails
// if something starts SQLite before this package's initialisation.
func TestMemoryStatisticsAreOff(t *testing.T) {
	if memstatusOff != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLITE_OK)", memstatusOff)
	}
}
