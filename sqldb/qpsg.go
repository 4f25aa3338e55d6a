package sqldb

/*
// sqlite3_db_config is SQLite's, compiled into mattn/go-sqlite3's package;
// the final link resolves it there.
extern int sqlite3_db_config(void *db, int op, ...);

// enable_qpsg turns on the query planner stability guarantee and returns
// whether it is now on, or -1 when SQLite refused.
static int enable_qpsg(void *db) {
	int on = 0;
	if (sqlite3_db_config(db, 1007, 1, &on) != 0) return -1; // SQLITE_DBCONFIG_ENABLE_QPSG
	return on;
}

// qpsg_enabled reports whether the guarantee is on (-1 on failure).
static int qpsg_enabled(void *db) {
	int on = 0;
	if (sqlite3_db_config(db, 1007, -1, &on) != 0) return -1;
	return on;
}
*/
import "C"

import (
	"database/sql"
	"errors"
	"reflect"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// driverName is mattn/go-sqlite3 with every connection set up by onConnect.
const driverName = "sqlite3_mutual"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: onConnect})
}

// onConnect turns on SQLite's query planner stability guarantee (QPSG).
//
// Without it SQLite marks a statement for re-preparing whenever a value bound
// to certain parameters changes: a LIMIT ?, or an equality filter the plan
// does not use an index for (`brand_id = ?` after a lookup by id). The
// driver clears every statement's bindings when it returns the statement to
// its cache, and in SQLite clearing the bindings of such a statement marks it
// expired, so each of them was parsed and planned again on every run: 18% of
// the single writer's time while giving kudos. Mutual's SQL never relies on
// bound values to choose a plan (partial indexes are matched with literals),
// so a stable plan costs nothing.
func onConnect(c *sqlite3.SQLiteConn) error {
	db, err := connHandle(c)
	if err != nil {
		return err
	}
	if C.enable_qpsg(db) != 1 {
		return errors.New("sqldb: SQLite refused the query planner stability guarantee")
	}
	return nil
}

// connHandle is the connection's sqlite3 handle. The driver keeps it in an
// unexported field and offers no accessor; the field is checked here so a
// driver upgrade that renames it fails every open (and the tests) at once.
func connHandle(c *sqlite3.SQLiteConn) (unsafe.Pointer, error) {
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, errors.New("sqldb: mattn/go-sqlite3 no longer keeps its handle in SQLiteConn.db")
	}
	return f.UnsafePointer(), nil
}

// planStable reports whether the connection has the guarantee on (tests).
func planStable(c *sqlite3.SQLiteConn) (bool, error) {
	db, err := connHandle(c)
	if err != nil {
		return false, err
	}
	return C.qpsg_enabled(db) == 1, nil
}
