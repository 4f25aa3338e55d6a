package radar

import (
	"context"

	"mutual/sqldb"
)

// EraseMember forgets the words the radar copied from a member's questions
// when their posts are removed on erasure (remove), inside the erasure's
// transaction: the terms and places of their threads, and the title of a
// group they founded. Daily term counts and burst labels are sums over
// many threads and stay.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64, remove bool) error {
	if !remove {
		return nil
	}
	if _, err := q.Exec(ctx, `UPDATE radar_threads SET terms = '', places = '' WHERE brand_id = ? AND thread_id IN
(SELECT id FROM threads WHERE brand_id = ? AND author_id = ?)`, brandID, brandID, userID); err != nil {
		return wrap("erase terms", err)
	}
	_, err := q.Exec(ctx, `UPDATE radar_groups SET title = '' WHERE brand_id = ? AND thread_id IN
(SELECT id FROM threads WHERE brand_id = ? AND author_id = ?)`, brandID, brandID, userID)
	return wrap("erase group titles", err)
}
