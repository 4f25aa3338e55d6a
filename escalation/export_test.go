package escalation

import "mutual/sqldb"

// DueQuery is the detector's candidate query, for the EXPLAIN test.
var DueQuery = dueSQL(sqldb.SQLite)
