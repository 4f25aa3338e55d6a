package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// checkThread makes sure the thread is the brand's, so another brand's
// thread is "not found" rather than watchable.
func checkThread(ctx context.Context, q sqldb.Querier, brandID, threadID int64) error {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM threads WHERE id = ? AND brand_id = ?`, threadID, brandID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return &fault.Error{Kind: fault.ErrNotFound, ID: "nfx.no_thread", Msg: i18n.T(context.Background(), "nfx.no_thread")}
	}
	return err
}

func checkBoard(ctx context.Context, q sqldb.Querier, brandID, boardID int64) error {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM boards WHERE id = ? AND brand_id = ?`, boardID, brandID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return &fault.Error{Kind: fault.ErrNotFound, ID: "nfx.no_board", Msg: i18n.T(context.Background(), "nfx.no_board")}
	}
	return err
}

// Watch makes the member watch a thread (undoing an earlier unwatch).
func (s *Store) Watch(ctx context.Context, brandID, userID, threadID int64) error {
	return s.setWatch(ctx, brandID, userID, threadID, 0)
}

// Unwatch stops notifications from a thread. The row stays, muted, so
// replying there later does not watch it again behind the member's back.
func (s *Store) Unwatch(ctx context.Context, brandID, userID, threadID int64) error {
	return s.setWatch(ctx, brandID, userID, threadID, 1)
}

func (s *Store) setWatch(ctx context.Context, brandID, userID, threadID int64, muted int) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := checkThread(ctx, tx, brandID, threadID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO notify_watches (brand_id, thread_id, user_id, muted, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (thread_id, user_id) DO UPDATE SET muted = excluded.muted`, brandID, threadID, userID, muted, sqldb.Millis(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("notify: watch thread %d: %w", threadID, err)
	}
	return nil
}

// Watching reports whether the member watches the thread.
func (s *Store) Watching(ctx context.Context, brandID, userID, threadID int64) (bool, error) {
	var muted int
	err := s.db.QueryRow(ctx, `SELECT muted FROM notify_watches WHERE thread_id = ? AND user_id = ? AND brand_id = ?`,
		threadID, userID, brandID).Scan(&muted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notify: watching: %w", err)
	}
	return muted == 0, nil
}

// Follow makes the member hear of every new question in a board.
func (s *Store) Follow(ctx context.Context, brandID, userID, boardID int64) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := checkBoard(ctx, tx, brandID, boardID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO notify_follows (brand_id, board_id, user_id, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (board_id, user_id) DO NOTHING`, brandID, boardID, userID, sqldb.Millis(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("notify: follow board %d: %w", boardID, err)
	}
	return nil
}

// Unfollow stops new-question notifications from a board.
func (s *Store) Unfollow(ctx context.Context, brandID, userID, boardID int64) error {
	if err := checkBoard(ctx, s.db, brandID, boardID); err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM notify_follows WHERE board_id = ? AND user_id = ? AND brand_id = ?`,
		boardID, userID, brandID); err != nil {
		return fmt.Errorf("notify: unfollow board %d: %w", boardID, err)
	}
	return nil
}

// Following reports whether the member follows the board.
func (s *Store) Following(ctx context.Context, brandID, userID, boardID int64) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM notify_follows WHERE board_id = ? AND user_id = ? AND brand_id = ?`,
		boardID, userID, brandID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("notify: following: %w", err)
	}
	return n > 0, nil
}

// FollowedBoards lists the ids of the boards the member follows.
func (s *Store) FollowedBoards(ctx context.Context, brandID, userID int64) ([]int64, error) {
	out, err := sqldb.Int64s(s.db.Query(ctx, `SELECT board_id FROM notify_follows WHERE user_id = ? AND brand_id = ? ORDER BY id`, userID, brandID))
	if err != nil {
		return nil, fmt.Errorf("notify: followed boards: %w", err)
	}
	return out, nil
}
