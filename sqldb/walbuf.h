#define WALBUF_VFS "mutual-walbuf"

// walbuf_register registers the VFS (once); 0 on success.
int walbuf_register(void);

// walbuf_counts reports the WAL writes SQLite asked for, the writes that
// reached the file, and the flushes made late (see walbuf.c).
void walbuf_counts(long long *writes, long long *flushes, long long *late);
