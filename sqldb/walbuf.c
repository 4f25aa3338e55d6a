// A SQLite VFS, "mutual-walbuf", that writes a commit's WAL frames to the
// file in one write instead of two per frame. See walbuf.go for why and for
// when the buffered bytes reach the file.
//
// It wraps the default VFS. The main database file and the WAL each get a
// small header of ours in front of the default VFS's own file object; any
// other file (temporary files, journals) is the default VFS's unchanged.

#include <stdlib.h>
#include <string.h>
#include "walbuf.h"

// The parts of sqlite3.h this file needs. They are SQLite's stable VFS
// interface (io_methods version 3, vfs version 3); SQLite itself is compiled
// into mattn/go-sqlite3's package and the final link resolves it there.
typedef long long sqlite3_int64;
typedef struct sqlite3_file sqlite3_file;
typedef struct sqlite3_io_methods sqlite3_io_methods;
struct sqlite3_file {
	const sqlite3_io_methods *pMethods;
};
struct sqlite3_io_methods {
	int iVersion;
	int (*xClose)(sqlite3_file *);
	int (*xRead)(sqlite3_file *, void *, int, sqlite3_int64);
	int (*xWrite)(sqlite3_file *, const void *, int, sqlite3_int64);
	int (*xTruncate)(sqlite3_file *, sqlite3_int64);
	int (*xSync)(sqlite3_file *, int);
	int (*xFileSize)(sqlite3_file *, sqlite3_int64 *);
	int (*xLock)(sqlite3_file *, int);
	int (*xUnlock)(sqlite3_file *, int);
	int (*xCheckReservedLock)(sqlite3_file *, int *);
	int (*xFileControl)(sqlite3_file *, int, void *);
	int (*xSectorSize)(sqlite3_file *);
	int (*xDeviceCharacteristics)(sqlite3_file *);
	int (*xShmMap)(sqlite3_file *, int, int, int, void volatile **);
	int (*xShmLock)(sqlite3_file *, int, int, int);
	void (*xShmBarrier)(sqlite3_file *);
	int (*xShmUnmap)(sqlite3_file *, int);
	int (*xFetch)(sqlite3_file *, sqlite3_int64, int, void **);
	int (*xUnfetch)(sqlite3_file *, sqlite3_int64, void *);
};
typedef struct sqlite3_vfs sqlite3_vfs;
typedef void (*sqlite3_syscall_ptr)(void);
struct sqlite3_vfs {
	int iVersion;
	int szOsFile;
	int mxPathname;
	sqlite3_vfs *pNext;
	const char *zName;
	void *pAppData;
	int (*xOpen)(sqlite3_vfs *, const char *, sqlite3_file *, int, int *);
	int (*xDelete)(sqlite3_vfs *, const char *, int);
	int (*xAccess)(sqlite3_vfs *, const char *, int, int *);
	int (*xFullPathname)(sqlite3_vfs *, const char *, int, char *);
	void *(*xDlOpen)(sqlite3_vfs *, const char *);
	void (*xDlError)(sqlite3_vfs *, int, char *);
	void (*(*xDlSym)(sqlite3_vfs *, void *, const char *))(void);
	void (*xDlClose)(sqlite3_vfs *, void *);
	int (*xRandomness)(sqlite3_vfs *, int, char *);
	int (*xSleep)(sqlite3_vfs *, int);
	int (*xCurrentTime)(sqlite3_vfs *, double *);
	int (*xGetLastError)(sqlite3_vfs *, int, char *);
	int (*xCurrentTimeInt64)(sqlite3_vfs *, sqlite3_int64 *);
	int (*xSetSystemCall)(sqlite3_vfs *, const char *, sqlite3_syscall_ptr);
	sqlite3_syscall_ptr (*xGetSystemCall)(sqlite3_vfs *, const char *);
	const char *(*xNextSystemCall)(sqlite3_vfs *, const char *);
};
extern sqlite3_vfs *sqlite3_vfs_find(const char *);
extern int sqlite3_vfs_register(sqlite3_vfs *, int);
extern sqlite3_file *sqlite3_database_file_object(const char *);

#define SQLITE_OK 0
#define SQLITE_NOMEM 7
#define SQLITE_OPEN_MAIN_DB 0x00000100
#define SQLITE_OPEN_WAL 0x00080000

#define WAL_HDR 32       // the WAL file's header
#define FRAME_HDR 24     // each frame's header, before its page
// BUF_CAP is the most the buffer holds: the default VFS writes at most
// 0x1ffff bytes a call (its seekAndWriteFd masks the length), so more
// would be cut short. Thirty-one frames of 4 KB pages fit, a reply's commit
// about twenty.
#define BUF_CAP 0x1ffff

typedef struct walFile walFile;

// dbFile is our header in front of the main database file.
typedef struct dbFile {
	sqlite3_file base;
	sqlite3_file *real;
	walFile *wal; // its WAL while open on the same connection
} dbFile;

// walFile is our header in front of the WAL file.
struct walFile {
	sqlite3_file base;
	sqlite3_file *real;
	dbFile *db;
	int pageSize;            // 0 until known from the WAL's header
	unsigned char *buf;      // bytes not yet written, of the file from bufOff
	int bufLen;
	sqlite3_int64 bufOff;
	sqlite3_int64 commitEnd; // where the commit frame being written ends, or 0
	                         // (kept across flushes until its end is written)
	sqlite3_int64 maxEnd;    // the furthest byte written through this handle
};

static sqlite3_vfs walbufVFS;
static sqlite3_vfs *realVFS;
static sqlite3_io_methods dbMethods, walMethods;
static int headerSize; // ours, in front of the default VFS's file object

// Counters for the tests.
static long long nWrites, nFlushes, nLate;
#define COUNT(n) __atomic_add_fetch(&(n), 1, __ATOMIC_RELAXED)

static unsigned get4(const unsigned char *p) {
	return ((unsigned)p[0] << 24) | ((unsigned)p[1] << 16) | ((unsigned)p[2] << 8) | p[3];
}

// flush writes out what the buffer holds.
static int flush(walFile *w) {
	int rc = SQLITE_OK;
	if (w->bufLen > 0) {
		rc = w->real->pMethods->xWrite(w->real, w->buf, w->bufLen, w->bufOff);
		COUNT(nFlushes);
	}
	w->bufLen = 0;
	return rc;
}

// notePageSize reads the page size from bytes of the WAL's header.
static void notePageSize(walFile *w, const unsigned char *hdr) {
	unsigned magic = get4(hdr), size = get4(hdr + 8);
	if ((magic & 0xFFFFFFFE) == 0x377f0682 && size >= 512 && size <= 65536 && (size & (size - 1)) == 0) {
		w->pageSize = (int)size;
	}
}

static int walWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 off) {
	walFile *w = (walFile *)f;
	int rc;
	COUNT(nWrites);
	if (off == 0 && n >= WAL_HDR) {
		notePageSize(w, p);
		w->maxEnd = 0; // the WAL starts over
	}
	if (w->pageSize == 0 || w->buf == NULL) {
		return w->real->pMethods->xWrite(w->real, p, n, off);
	}
	// Bytes inside or right after the buffer join it, in the order written.
	if (w->bufLen > 0 && (off < w->bufOff || off > w->bufOff + w->bufLen || off + n - w->bufOff > BUF_CAP)) {
		if ((rc = flush(w)) != SQLITE_OK) return rc;
	}
	if (n > BUF_CAP) {
		if ((rc = flush(w)) != SQLITE_OK) return rc;
		return w->real->pMethods->xWrite(w->real, p, n, off);
	}
	if (w->bufLen == 0) w->bufOff = off;
	memcpy(w->buf + (off - w->bufOff), p, n);
	if (off + n - w->bufOff > w->bufLen) w->bufLen = (int)(off + n - w->bufOff);

	sqlite3_int64 frame = FRAME_HDR + w->pageSize, before = w->maxEnd;
	if (off + n > w->maxEnd) w->maxEnd = off + n;
	if (n == FRAME_HDR && off >= WAL_HDR && (off - WAL_HDR) % frame == 0 && get4((const unsigned char *)p + 4) != 0) {
		// A commit frame's header: the commit is whole once its page is
		// written. When SQLite rewrites a transaction's checksums, the page
		// is there already and no more writes follow, so out it goes now.
		w->commitEnd = off + frame;
		if (off + frame <= before) return flush(w);
	}
	if (w->commitEnd != 0 && w->bufOff + w->bufLen >= w->commitEnd) {
		w->commitEnd = 0;
		return flush(w);
	}
	return SQLITE_OK;
}

// Every other use of the WAL first writes out what the buffer holds.
static int walClose(sqlite3_file *f) {
	walFile *w = (walFile *)f;
	int rc = flush(w);
	if (w->db) w->db->wal = NULL;
	free(w->buf);
	w->buf = NULL;
	int rc2 = w->real->pMethods->xClose(w->real);
	return rc != SQLITE_OK ? rc : rc2;
}
static int walRead(sqlite3_file *f, void *p, int n, sqlite3_int64 off) {
	walFile *w = (walFile *)f;
	int rc = flush(w);
	if (rc != SQLITE_OK) return rc;
	rc = w->real->pMethods->xRead(w->real, p, n, off);
	if (rc == SQLITE_OK && off == 0 && n >= WAL_HDR) notePageSize(w, p);
	return rc;
}
#define FLUSHED(w, call) walFile *w = (walFile *)f; int rc = flush(w); if (rc != SQLITE_OK) return rc; return call
static int walTruncate(sqlite3_file *f, sqlite3_int64 size) {
	walFile *w = (walFile *)f;
	int rc = flush(w);
	if (rc != SQLITE_OK) return rc;
	if (w->maxEnd > size) w->maxEnd = size;
	return w->real->pMethods->xTruncate(w->real, size);
}
static int walSync(sqlite3_file *f, int flags) { FLUSHED(w, w->real->pMethods->xSync(w->real, flags)); }
static int walFileSize(sqlite3_file *f, sqlite3_int64 *size) { FLUSHED(w, w->real->pMethods->xFileSize(w->real, size)); }
static int walLock(sqlite3_file *f, int lock) { FLUSHED(w, w->real->pMethods->xLock(w->real, lock)); }
static int walUnlock(sqlite3_file *f, int lock) { FLUSHED(w, w->real->pMethods->xUnlock(w->real, lock)); }
static int walCheckReservedLock(sqlite3_file *f, int *out) { FLUSHED(w, w->real->pMethods->xCheckReservedLock(w->real, out)); }
static int walFileControl(sqlite3_file *f, int op, void *arg) { FLUSHED(w, w->real->pMethods->xFileControl(w->real, op, arg)); }
static int walSectorSize(sqlite3_file *f) { return ((walFile *)f)->real->pMethods->xSectorSize(((walFile *)f)->real); }
static int walDeviceCharacteristics(sqlite3_file *f) {
	return ((walFile *)f)->real->pMethods->xDeviceCharacteristics(((walFile *)f)->real);
}

// lateFlush writes out a WAL's buffer at a moment it should already be
// empty: before the database's shared-memory index publishes a commit or a
// lock changes hands. Only the rollback of a transaction that spilled
// frames leaves bytes here; they lie past the last commit and mean nothing,
// so a write that fails drops them. nLate counts bytes still held when a
// commit is being published (a commit frame walWrite did not recognise):
// the tests want 0.
static int lateFlush(dbFile *d, int publishing) {
	walFile *w = d->wal;
	if (w == NULL) return SQLITE_OK;
	if (w->bufLen > 0 && publishing) COUNT(nLate);
	w->commitEnd = 0;
	return flush(w);
}

// The main database file: its shared-memory index is where commits are
// published and locks change hands.
static int dbClose(sqlite3_file *f) {
	dbFile *d = (dbFile *)f;
	if (d->wal) d->wal->db = NULL;
	return d->real->pMethods->xClose(d->real);
}
#define REAL(f) (((dbFile *)(f))->real)
static int dbRead(sqlite3_file *f, void *p, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xRead(REAL(f), p, n, off); }
static int dbWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xWrite(REAL(f), p, n, off); }
static int dbTruncate(sqlite3_file *f, sqlite3_int64 size) { return REAL(f)->pMethods->xTruncate(REAL(f), size); }
static int dbSync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int dbFileSize(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }
static int dbLock(sqlite3_file *f, int lock) { return REAL(f)->pMethods->xLock(REAL(f), lock); }
static int dbUnlock(sqlite3_file *f, int lock) { return REAL(f)->pMethods->xUnlock(REAL(f), lock); }
static int dbCheckReservedLock(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int dbFileControl(sqlite3_file *f, int op, void *arg) { return REAL(f)->pMethods->xFileControl(REAL(f), op, arg); }
static int dbSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int dbDeviceCharacteristics(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int dbShmMap(sqlite3_file *f, int pg, int size, int extend, void volatile **pp) {
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, size, extend, pp);
}
static int dbShmLock(sqlite3_file *f, int offset, int n, int flags) {
	int rc = lateFlush((dbFile *)f, 0);
	int rc2 = REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
	return rc != SQLITE_OK ? rc : rc2;
}
static void dbShmBarrier(sqlite3_file *f) {
	lateFlush((dbFile *)f, 1);
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int dbShmUnmap(sqlite3_file *f, int del) {
	lateFlush((dbFile *)f, 0);
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int dbFetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp); }
static int dbUnfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), off, p); }

// vfsOpen opens the main database and the WAL behind a header of ours, and
// any other file as the default VFS does.
static int vfsOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outFlags) {
	(void)vfs;
	if (!(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL))) {
		return realVFS->xOpen(realVFS, name, f, flags, outFlags);
	}
	if (flags & SQLITE_OPEN_MAIN_DB) {
		dbFile *d = (dbFile *)f;
		memset(d, 0, sizeof *d);
		d->real = (sqlite3_file *)((char *)f + headerSize);
		int rc = realVFS->xOpen(realVFS, name, d->real, flags, outFlags);
		if (rc == SQLITE_OK && d->real->pMethods) {
			d->base.pMethods = &dbMethods;
		}
		return rc;
	}
	walFile *w = (walFile *)f;
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)((char *)f + headerSize);
	int rc = realVFS->xOpen(realVFS, name, w->real, flags, outFlags);
	if (rc != SQLITE_OK || w->real->pMethods == NULL) return rc;
	w->base.pMethods = &walMethods;
	sqlite3_file *db = sqlite3_database_file_object(name);
	if (db && db->pMethods == &dbMethods) {
		w->db = (dbFile *)db;
		w->db->wal = w;
		// Without the database's hooks a commit could be published before
		// its frames were written: then nothing is held back.
		w->buf = malloc(BUF_CAP);
	}
	unsigned char hdr[WAL_HDR];
	if (w->real->pMethods->xRead(w->real, hdr, WAL_HDR, 0) == SQLITE_OK) notePageSize(w, hdr);
	return SQLITE_OK;
}

// The rest of the VFS is the default one's, called with its own object.
static int vfsDelete(sqlite3_vfs *v, const char *n, int s) { (void)v; return realVFS->xDelete(realVFS, n, s); }
static int vfsAccess(sqlite3_vfs *v, const char *n, int fl, int *o) { (void)v; return realVFS->xAccess(realVFS, n, fl, o); }
static int vfsFullPathname(sqlite3_vfs *v, const char *n, int k, char *o) { (void)v; return realVFS->xFullPathname(realVFS, n, k, o); }
static void *vfsDlOpen(sqlite3_vfs *v, const char *n) { (void)v; return realVFS->xDlOpen(realVFS, n); }
static void vfsDlError(sqlite3_vfs *v, int k, char *o) { (void)v; realVFS->xDlError(realVFS, k, o); }
static void (*vfsDlSym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return realVFS->xDlSym(realVFS, h, s); }
static void vfsDlClose(sqlite3_vfs *v, void *h) { (void)v; realVFS->xDlClose(realVFS, h); }
static int vfsRandomness(sqlite3_vfs *v, int k, char *o) { (void)v; return realVFS->xRandomness(realVFS, k, o); }
static int vfsSleep(sqlite3_vfs *v, int us) { (void)v; return realVFS->xSleep(realVFS, us); }
static int vfsCurrentTime(sqlite3_vfs *v, double *t) { (void)v; return realVFS->xCurrentTime(realVFS, t); }
static int vfsGetLastError(sqlite3_vfs *v, int k, char *o) { (void)v; return realVFS->xGetLastError(realVFS, k, o); }
static int vfsCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return realVFS->xCurrentTimeInt64(realVFS, t); }

int walbuf_register(void) {
	if (realVFS) return SQLITE_OK;
	realVFS = sqlite3_vfs_find(0);
	if (realVFS == NULL || realVFS->iVersion < 2 || realVFS->xCurrentTimeInt64 == NULL) return 1;
	// SQLite uses only version 1 methods on a WAL (the shared memory and
	// memory mapping are the database file's).
	const sqlite3_io_methods walM = {1, walClose, walRead, walWrite, walTruncate, walSync, walFileSize, walLock, walUnlock,
		walCheckReservedLock, walFileControl, walSectorSize, walDeviceCharacteristics, 0, 0, 0, 0, 0, 0};
	const sqlite3_io_methods dbM = {3, dbClose, dbRead, dbWrite, dbTruncate, dbSync, dbFileSize, dbLock, dbUnlock,
		dbCheckReservedLock, dbFileControl, dbSectorSize, dbDeviceCharacteristics, dbShmMap, dbShmLock, dbShmBarrier,
		dbShmUnmap, dbFetch, dbUnfetch};
	walMethods = walM;
	dbMethods = dbM;
	headerSize = sizeof(walFile) > sizeof(dbFile) ? sizeof(walFile) : sizeof(dbFile);
	headerSize = (headerSize + 15) & ~15;
	sqlite3_vfs v = {2, headerSize + realVFS->szOsFile, realVFS->mxPathname, 0, WALBUF_VFS, 0, vfsOpen, vfsDelete,
		vfsAccess, vfsFullPathname, 0, 0, 0, 0, vfsRandomness, vfsSleep, vfsCurrentTime, vfsGetLastError,
		vfsCurrentTimeInt64, 0, 0, 0};
	if (realVFS->xDlOpen) {
		v.xDlOpen = vfsDlOpen;
		v.xDlError = vfsDlError;
		v.xDlSym = vfsDlSym;
		v.xDlClose = vfsDlClose;
	}
	walbufVFS = v;
	return sqlite3_vfs_register(&walbufVFS, 0);
}

void walbuf_counts(long long *writes, long long *flushes, long long *late) {
	*writes = __atomic_load_n(&nWrites, __ATOMIC_RELAXED);
	*flushes = __atomic_load_n(&nFlushes, __ATOMIC_RELAXED);
	*late = __atomic_load_n(&nLate, __ATOMIC_RELAXED);
}
