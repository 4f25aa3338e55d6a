package kb

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// MemberData is the knowledge base's part of a member's data export: the
// articles they proposed or revised, the articles that credit them, and
// their "out of date" reports.
type MemberData struct {
	Proposed  []ArticleData `json:"articles_proposed"`
	Revisions []RevisionRef `json:"article_revisions"`
	Credits   []CreditData  `json:"article_credits"`
	Reports   []ReportData  `json:"outdated_reports"`
}

// ArticleData is an article a member proposed.
type ArticleData struct {
	ArticleID int64     `json:"article_id"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
}

// RevisionRef is a revision a member wrote.
type RevisionRef struct {
	ArticleID int64     `json:"article_id"`
	Revision  int       `json:"revision"`
	Title     string    `json:"title"`
	BodyMD    string    `json:"body_markdown"`
	At        time.Time `json:"at"`
}

// CreditData is an article crediting the member.
type CreditData struct {
	ArticleID  int64      `json:"article_id"`
	Title      string     `json:"title"`
	Role       string     `json:"role"`
	PostID     int64      `json:"post_id"`
	CreditedAt *time.Time `json:"credited_at"` // when the ledger credited them; null before publication
}

// ReportData is an "out of date" report.
type ReportData struct {
	ArticleID  int64      `json:"article_id"`
	Note       string     `json:"note"`
	At         time.Time  `json:"at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

// ExportMember reads the knowledge base's part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberData, error) {
	m := MemberData{Proposed: []ArticleData{}, Revisions: []RevisionRef{}, Credits: []CreditData{}, Reports: []ReportData{}}
	err := each(ctx, q, `SELECT id, title, state, created_at FROM kb_articles WHERE brand_id = ? AND proposer_id = ? ORDER BY id`,
		[]any{brandID, userID}, func(scan func(...any) error) error {
			var d ArticleData
			var at int64
			err := scan(&d.ArticleID, &d.Title, &d.State, &at)
			d.CreatedAt = sqldb.Time(at)
			m.Proposed = append(m.Proposed, d)
			return err
		})
	if err == nil {
		err = each(ctx, q, `SELECT r.article_id, r.revision, r.title, r.body_md, r.created_at FROM kb_article_revisions r
JOIN kb_articles a ON a.id = r.article_id WHERE a.brand_id = ? AND r.editor_id = ? ORDER BY r.article_id, r.revision`,
			[]any{brandID, userID}, func(scan func(...any) error) error {
				var d RevisionRef
				var at int64
				err := scan(&d.ArticleID, &d.Revision, &d.Title, &d.BodyMD, &at)
				d.At = sqldb.Time(at)
				m.Revisions = append(m.Revisions, d)
				return err
			})
	}
	if err == nil {
		err = each(ctx, q, `SELECT c.article_id, a.title, c.role, c.post_id, COALESCE(c.credited_at, 0) FROM kb_article_credits c
JOIN kb_articles a ON a.id = c.article_id WHERE c.brand_id = ? AND c.user_id = ? ORDER BY c.article_id`,
			[]any{brandID, userID}, func(scan func(...any) error) error {
				var d CreditData
				var at int64
				err := scan(&d.ArticleID, &d.Title, &d.Role, &d.PostID, &at)
				d.CreditedAt = optTime(at)
				m.Credits = append(m.Credits, d)
				return err
			})
	}
	if err == nil {
		err = each(ctx, q, `SELECT article_id, note, created_at, COALESCE(resolved_at, 0) FROM kb_article_reports
WHERE brand_id = ? AND user_id = ? ORDER BY id`, []any{brandID, userID}, func(scan func(...any) error) error {
			var d ReportData
			var at, res int64
			err := scan(&d.ArticleID, &d.Note, &at, &res)
			d.At, d.ResolvedAt = sqldb.Time(at), optTime(res)
			m.Reports = append(m.Reports, d)
			return err
		})
	}
	if err != nil {
		return MemberData{}, fmt.Errorf("kb: export member: %w", err)
	}
	return m, nil
}

// EraseMember removes what names an erased member in the knowledge base,
// inside the erasure's transaction: their credits and their reports go; the
// articles they proposed or revised stay, by no one (as a former member's
// posts do). Reputation they earned is the ledger's, erased with it.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM kb_article_credits WHERE brand_id = ? AND user_id = ?`, []any{brandID, userID}},
		{`DELETE FROM kb_article_reports WHERE brand_id = ? AND user_id = ?`, []any{brandID, userID}},
		{`UPDATE kb_article_reports SET resolved_by = NULL WHERE brand_id = ? AND resolved_by = ?`, []any{brandID, userID}},
		{`UPDATE kb_articles SET proposer_id = NULL WHERE brand_id = ? AND proposer_id = ?`, []any{brandID, userID}},
		{`UPDATE kb_article_revisions SET editor_id = NULL
WHERE editor_id = ? AND article_id IN (SELECT id FROM kb_articles WHERE brand_id = ?)`, []any{userID, brandID}},
	} {
		if _, err := q.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("kb: erase member: %w", err)
		}
	}
	return nil
}

func each(ctx context.Context, q sqldb.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func optTime(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := sqldb.Time(v)
	return &t
}
