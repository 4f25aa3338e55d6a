package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// AskWindow is how long after opening a suggestion from the Ask page a
// member's new question still counts as "asked anyway". An open with no
// question from the same member within the window is a deflection at the
// moment of asking (docs/discovery.md, "Deflected at asking").
const AskWindow = 24 * time.Hour

// reopenQuiet is how long a second open of the same suggestion by the same
// member is folded into the first.
const reopenQuiet = time.Hour

// RecordSuggestionOpen notes that a member opened a similar solved thread the
// Ask page suggested. It returns the thread (for the redirect), fault.ErrNotFound
// for a thread the member cannot see, or fault.ErrUnauthenticated for a visitor.
func (s *Service) RecordSuggestionOpen(ctx context.Context, a account.Actor, threadID int64) (forum.Thread, error) {
	if !a.SignedIn() {
		return forum.Thread{}, fault.ErrUnauthenticated
	}
	t, err := s.visibleThread(ctx, a.BrandID, threadID)
	if err != nil {
		return forum.Thread{}, err
	}
	now := s.now()
	key := strconv.FormatInt(a.UserID, 10)
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM suggestion_opens
WHERE brand_id = ? AND viewer_key = ? AND thread_id = ? AND opened_at >= ? AND asked_thread_id IS NULL`,
			a.BrandID, key, threadID, sqldb.Millis(now.Add(-reopenQuiet))).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO suggestion_opens (brand_id, viewer_key, user_id, thread_id, opened_at) VALUES (?, ?, ?, ?, ?)`,
			a.BrandID, key, a.UserID, threadID, sqldb.Millis(now))
		return err
	})
	if err != nil {
		return forum.Thread{}, fmt.Errorf("search: record suggestion open: %w", err)
	}
	return t, nil
}

// suggestionHook links a member's recent suggestion opens to the question
// they asked anyway, in the asking transaction.
func (s *Service) suggestionHook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if ev.Kind != forum.ThreadAsked || ev.ActorID == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE suggestion_opens SET asked_thread_id = ?
WHERE brand_id = ? AND viewer_key = ? AND asked_thread_id IS NULL AND opened_at >= ? AND opened_at <= ?`,
		ev.ThreadID, ev.BrandID, strconv.FormatInt(ev.ActorID, 10), sqldb.Millis(ev.At.Add(-AskWindow)), sqldb.Millis(ev.At))
	if err != nil {
		return fmt.Errorf("search: link suggestion opens: %w", err)
	}
	return nil
}

// SuggestionOpen is one recorded open, for reports and tests.
type SuggestionOpen struct {
	ThreadID      int64
	UserID        int64
	OpenedAt      time.Time
	AskedThreadID int64 // 0 while the member has not asked
}

// SuggestionOpens lists a member's opens, newest first.
func (s *Service) SuggestionOpens(ctx context.Context, brandID, userID int64) ([]SuggestionOpen, error) {
	rows, err := s.db.Query(ctx, `SELECT thread_id, COALESCE(user_id, 0), opened_at, COALESCE(asked_thread_id, 0) FROM suggestion_opens
WHERE brand_id = ? AND viewer_key = ? ORDER BY opened_at DESC, id DESC`, brandID, strconv.FormatInt(userID, 10))
	if err != nil {
		return nil, fmt.Errorf("search: suggestion opens: %w", err)
	}
	defer rows.Close()
	var out []SuggestionOpen
	for rows.Next() {
		var o SuggestionOpen
		var at int64
		if err := rows.Scan(&o.ThreadID, &o.UserID, &at, &o.AskedThreadID); err != nil {
			return nil, err
		}
		o.OpenedAt = sqldb.Time(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Service) visibleThread(ctx context.Context, brandID, id int64) (forum.Thread, error) {
	t, err := forum.ScanThread(s.db.QueryRow(ctx, `SELECT `+forum.ThreadColumns+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.brand_id = ? AND t.id = ? AND t.status = 'visible'`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Thread{}, fault.NotFound(i18n.T(ctx, "searchmsg.no_thread"))
	}
	if err != nil {
		return forum.Thread{}, fmt.Errorf("search: thread %d: %w", id, err)
	}
	return t, nil
}
