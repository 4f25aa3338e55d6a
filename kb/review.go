package kb

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/reputation"
	"mutual/sqldb"
)

// Change is an edit of an article: its fields as the edit form sends them.
// ReviewBy is an editor's choice of the next review date (zero keeps it).
type Change struct {
	BoardID  int64
	Title    string
	Body     string
	Tags     string
	ReviewBy time.Time
}

// Edit changes an article, keeping the version before as a revision when
// its words changed. The proposer may edit until it is published; editors
// at any time (their edits of a published article are audited).
func (s *Service) Edit(ctx context.Context, a account.Actor, id int64, ch Change) (Article, error) {
	art, err := s.Article(ctx, a, id)
	if err != nil {
		return Article{}, err
	}
	if !mayEdit(a, art) {
		return Article{}, fault.Denied(i18n.T(ctx, "kb.may_not_edit"))
	}
	html, err := s.checkFields(ctx, a.BrandID, ch.BoardID, ch.Title, ch.Body)
	if err != nil {
		return Article{}, err
	}
	reviewBy := art.ReviewBy
	if !ch.ReviewBy.IsZero() && isEditor(a) {
		if !ch.ReviewBy.After(s.now()) {
			return Article{}, fault.Invalid("review_by", i18n.T(ctx, "kb.review_by_past"))
		}
		reviewBy = ch.ReviewBy
	}
	title, tags := strings.TrimSpace(ch.Title), strings.Join(ParseTags(ch.Tags), " ")
	reworded := title != art.Title || ch.Body != art.BodyMD || tags != strings.Join(art.Tags, " ")
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n := art.RevisionCount
		if reworded {
			n++
			if err := addRevision(ctx, tx, id, n, a.UserID, title, ch.Body, html, tags, sqldb.Millis(now)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET board_id = ?, title = ?, slug = ?, body_md = ?, body_html = ?, tags = ?,
revision_count = ?, review_by = ?, updated_at = ? WHERE id = ?`,
			ch.BoardID, title, forum.Slugify(title), ch.Body, html, tags, n, sqldb.Millis(reviewBy), sqldb.Millis(now), id); err != nil {
			return fmt.Errorf("kb: edit %d: %w", id, err)
		}
		if art.State == Published {
			return s.audit(ctx, tx, a, "kb_edit", id, map[string]any{"title": art.Title, "revision": art.RevisionCount},
				map[string]any{"title": title, "revision": n, "review_by": reviewBy})
		}
		return nil
	})
	if err != nil {
		return Article{}, err
	}
	if art.State == Published {
		s.changed(a.BrandID, art.Sources)
	}
	return s.load(ctx, s.db, a.BrandID, id)
}

// Submit sends a draft to the editors for review.
func (s *Service) Submit(ctx context.Context, a account.Actor, id int64) (Article, error) {
	art, err := s.Article(ctx, a, id)
	if err != nil {
		return Article{}, err
	}
	if !mayEdit(a, art) {
		return Article{}, fault.Denied(i18n.T(ctx, "kb.may_not_edit"))
	}
	if art.State != Draft {
		return Article{}, fault.Conflict(i18n.T(ctx, "kb.not_draft"))
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE kb_articles SET state = 'review', updated_at = ? WHERE id = ? AND state = 'draft'`, sqldb.Millis(s.now()), id)
		return err
	})
	if err != nil {
		return Article{}, fmt.Errorf("kb: submit %d: %w", id, err)
	}
	return s.load(ctx, s.db, a.BrandID, id)
}

// Publish makes an article public. The first time, the members it credits
// earn their reputation (reputation.ArticleCredit, on the ledger and so in
// the payback export) in the same transaction.
func (s *Service) Publish(ctx context.Context, a account.Actor, id int64) (Article, error) {
	if !isEditor(a) {
		return Article{}, fault.Denied(i18n.T(ctx, "kb.editors_only"))
	}
	art, err := s.Article(ctx, a, id)
	if err != nil {
		return Article{}, err
	}
	if art.State == Published {
		return Article{}, fault.Conflict(i18n.T(ctx, "kb.already_published"))
	}
	now := s.now()
	// The review clock starts at first publication, unless an editor chose
	// a date; a date already past starts it again.
	reviewBy := art.ReviewBy
	if (art.PublishedAt.IsZero() && reviewBy.Equal(art.CreatedAt.Add(ReviewPeriod))) || !reviewBy.After(now) {
		reviewBy = now.Add(ReviewPeriod)
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET state = 'published', review_note = '', published_at = COALESCE(published_at, ?),
review_by = ?, updated_at = ? WHERE id = ?`, sqldb.Millis(now), sqldb.Millis(reviewBy), sqldb.Millis(now), id); err != nil {
			return fmt.Errorf("kb: publish %d: %w", id, err)
		}
		if err := s.credit(ctx, tx, a, art, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "kb_publish", id, map[string]any{"state": art.State}, map[string]any{"state": Published, "review_by": reviewBy})
	})
	if err != nil {
		return Article{}, err
	}
	s.changed(a.BrandID, art.Sources)
	return s.load(ctx, s.db, a.BrandID, id)
}

// credit awards each credited member not yet credited for this article.
func (s *Service) credit(ctx context.Context, tx *sqldb.Tx, a account.Actor, art Article, now time.Time) error {
	rows, err := tx.Query(ctx, `SELECT user_id, post_id FROM kb_article_credits WHERE article_id = ? AND credited_at IS NULL ORDER BY user_id`, art.ID)
	if err != nil {
		return fmt.Errorf("kb: credits: %w", err)
	}
	type due struct{ user, post int64 }
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.user, &d.post); err != nil {
			rows.Close()
			return err
		}
		dues = append(dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range dues {
		if _, err := reputation.Award(ctx, forum.LedgerTx(tx), reputation.Event{BrandID: art.BrandID, UserID: d.user,
			Reason: reputation.ArticleCredit, PostID: d.post, ActorID: a.UserID, At: now}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE kb_article_credits SET credited_at = ? WHERE article_id = ? AND user_id = ?`, sqldb.Millis(now), art.ID, d.user); err != nil {
			return fmt.Errorf("kb: credited: %w", err)
		}
	}
	return nil
}

// Return sends an article back to draft with an editor's note: a draft in
// review that needs work, or a published article taken down to be redone.
// Credits already earned stay: the members' help was published.
func (s *Service) Return(ctx context.Context, a account.Actor, id int64, note string) (Article, error) {
	if !isEditor(a) {
		return Article{}, fault.Denied(i18n.T(ctx, "kb.editors_only"))
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Article{}, fault.Invalid("note", i18n.T(ctx, "kb.note_length", "Max", MaxNote))
	}
	art, err := s.Article(ctx, a, id)
	if err != nil {
		return Article{}, err
	}
	if art.State == Draft {
		return Article{}, fault.Conflict(i18n.T(ctx, "kb.already_draft"))
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET state = 'draft', review_note = ?, updated_at = ? WHERE id = ?`, note, sqldb.Millis(s.now()), id); err != nil {
			return fmt.Errorf("kb: return %d: %w", id, err)
		}
		return s.audit(ctx, tx, a, "kb_return", id, map[string]any{"state": art.State}, map[string]any{"state": Draft, "note": note})
	})
	if err != nil {
		return Article{}, err
	}
	if art.State == Published {
		s.changed(a.BrandID, art.Sources)
	}
	return s.load(ctx, s.db, a.BrandID, id)
}

// MarkReviewed records that an editor checked a published article: its
// next review date (zero: ReviewPeriod from now), and readers' open reports
// closed.
func (s *Service) MarkReviewed(ctx context.Context, a account.Actor, id int64, next time.Time) (Article, error) {
	if !isEditor(a) {
		return Article{}, fault.Denied(i18n.T(ctx, "kb.editors_only"))
	}
	art, err := s.Article(ctx, a, id)
	if err != nil {
		return Article{}, err
	}
	if art.State != Published {
		return Article{}, fault.Conflict(i18n.T(ctx, "kb.not_published"))
	}
	now := s.now()
	if next.IsZero() {
		next = now.Add(ReviewPeriod)
	}
	if !next.After(now) {
		return Article{}, fault.Invalid("review_by", i18n.T(ctx, "kb.review_by_past"))
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET review_by = ? WHERE id = ?`, sqldb.Millis(next), id); err != nil {
			return fmt.Errorf("kb: reviewed %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE kb_article_reports SET resolved_at = ?, resolved_by = ? WHERE article_id = ? AND resolved_at IS NULL`,
			sqldb.Millis(now), a.UserID, id); err != nil {
			return fmt.Errorf("kb: close reports of %d: %w", id, err)
		}
		return s.audit(ctx, tx, a, "kb_reviewed", id, map[string]any{"review_by": art.ReviewBy, "open_reports": art.OpenReports},
			map[string]any{"review_by": next})
	})
	if err != nil {
		return Article{}, err
	}
	s.changed(a.BrandID, nil) // its page no longer says it waits for a review
	return s.load(ctx, s.db, a.BrandID, id)
}

// ReportOutdated records a reader's "this is out of date" on a published
// article, which puts it in the editors' queue. A reader's second report
// while the first is open changes nothing; it reports whether this one was
// new.
func (s *Service) ReportOutdated(ctx context.Context, a account.Actor, id int64, note string) (bool, error) {
	if !a.SignedIn() {
		return false, fault.ErrUnauthenticated
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return false, fault.Invalid("note", i18n.T(ctx, "kb.note_length", "Max", MaxNote))
	}
	art, err := s.Article(ctx, a, id)
	if err != nil {
		return false, err
	}
	if art.State != Published {
		return false, fault.Conflict(i18n.T(ctx, "kb.not_published"))
	}
	var added int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO kb_article_reports (article_id, brand_id, user_id, note, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (article_id, user_id) WHERE resolved_at IS NULL DO NOTHING`, id, a.BrandID, a.UserID, note, sqldb.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("kb: report %d: %w", id, err)
		}
		added, _ = res.RowsAffected()
		return nil
	})
	if added == 1 {
		s.changed(a.BrandID, nil) // its page now tells readers an editor will check it
	}
	return added == 1, err
}

// Queue is the editors' work: drafts submitted for review, published
// articles past their review date or reported, readers' open reports, and
// drafts still with their proposers.
type Queue struct {
	InReview []Article
	Stale    []Article
	Reports  []QueuedReport
	Drafts   []Article
}

// QueuedReport is an open report with its article's title.
type QueuedReport struct {
	Report
	Title string
	Slug  string
}

// EditorQueue lists the editors' queue of the actor's brand.
func (s *Service) EditorQueue(ctx context.Context, a account.Actor) (Queue, error) {
	if !isEditor(a) {
		return Queue{}, fault.Denied(i18n.T(ctx, "kb.editors_only"))
	}
	var q Queue
	var err error
	list := func(where string, args ...any) []Article {
		if err != nil {
			return nil
		}
		var out []Article
		out, err = scanArticles(s.db.Query(ctx, `SELECT `+articleCols+articleFrom+` WHERE a.brand_id = ? AND `+where+
			` ORDER BY a.updated_at, a.id LIMIT 200`, append([]any{a.BrandID}, args...)...))
		return out
	}
	q.InReview = list(`a.state = 'review'`)
	q.Stale = list(`a.state = 'published' AND (a.review_by < ? OR EXISTS (SELECT 1 FROM kb_article_reports r WHERE r.article_id = a.id AND r.resolved_at IS NULL))`, sqldb.Millis(s.now()))
	q.Drafts = list(`a.state = 'draft'`)
	if err != nil {
		return Queue{}, err
	}
	q.Reports, err = s.openReports(ctx, a.BrandID)
	return q, err
}

func (s *Service) openReports(ctx context.Context, brandID int64) ([]QueuedReport, error) {
	rows, err := s.db.Query(ctx, `SELECT r.id, r.article_id, COALESCE(r.user_id, 0), COALESCE(u.username, ''), r.note, r.created_at, a.title, a.slug
FROM kb_article_reports r JOIN kb_articles a ON a.id = r.article_id LEFT JOIN users u ON u.id = r.user_id
WHERE r.brand_id = ? AND r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT 200`, brandID)
	if err != nil {
		return nil, fmt.Errorf("kb: open reports: %w", err)
	}
	defer rows.Close()
	out := []QueuedReport{}
	for rows.Next() {
		var r QueuedReport
		var at int64
		if err := rows.Scan(&r.ID, &r.ArticleID, &r.UserID, &r.Username, &r.Note, &at, &r.Title, &r.Slug); err != nil {
			return nil, err
		}
		r.CreatedAt = sqldb.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// audit records an editor's act; its names (kb_publish, kb_edit, kb_return,
// kb_reviewed) are listed in moderation.Acts for the audit log's filter.
func (s *Service) audit(ctx context.Context, tx *sqldb.Tx, a account.Actor, act string, id int64, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit(ctx, tx, a, act, "kb_article", id, before, after)
}
