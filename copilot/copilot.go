// Package copilot finds grounded help for an agent answering a member: the
// solved threads most like the question, the passage of each most likely to
// answer it, and a drafted reply that quotes and links them. It runs inside
// the binary; a brand may add a chat-completions model to word the draft
// (draft.go), which falls back to the passages when the model is missing or
// fails. The agent always edits the draft before posting it.
package copilot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/search"
	"mutual/sqldb"
)

// Service finds sources and drafts replies. Audit records administrators'
// changes to the brand's model settings (the moderation audit log).
type Service struct {
	db     *sqldb.DB
	search *search.Service
	client *http.Client
	now    func() time.Time
	Audit  func(ctx context.Context, tx *sqldb.Tx, actor account.Actor, act string, before, after any) error
}

// New makes the copilot over the brand's search index.
func New(db *sqldb.DB, s *search.Service, now func() time.Time) *Service {
	return &Service{db: db, search: s, now: now, client: &http.Client{Timeout: modelTimeout}}
}

// Question is what a member asked: the thread and its opening post.
type Question struct {
	BrandID, ThreadID int64
	Title, Body       string
	Language          string
}

// Source is a solved thread that may answer the question, with the passage
// of its accepted answer most likely to.
type Source struct {
	ThreadID int64
	Title    string
	Slug     string
	Passage  string
	Covers   float64 // the share of the question's weight its title and answer hold
	Score    float64 // its rank among the sources
}

// URL is the source thread's address in the community.
func (s Source) URL() string { return fmt.Sprintf("/t/%d/%s", s.ThreadID, s.Slug) }

// Candidates bounds the solved threads weighed for one question; Limit is
// how many sources the console shows.
const (
	Candidates = 12
	Limit      = 3
)

// QuestionOf reads a thread's title and opening post.
func (s *Service) QuestionOf(ctx context.Context, brandID, threadID int64) (Question, error) {
	q := Question{BrandID: brandID, ThreadID: threadID}
	err := s.db.QueryRow(ctx, `SELECT t.title, p.body_md, t.language FROM threads t
		JOIN posts p ON p.thread_id = t.id AND p.is_question = 1 WHERE t.id = ? AND t.brand_id = ?`,
		threadID, brandID).Scan(&q.Title, &q.Body, &q.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return q, fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
	}
	return q, err
}

// Sources returns up to limit solved threads that best answer q, best
// first: found by the search index, then ranked by how much of the
// question's weight (each word's rarity in the brand) their title, their
// accepted answer and its best passage cover.
func (s *Service) Sources(ctx context.Context, q Question, limit int) ([]Source, error) {
	ids, err := s.search.Related(ctx, q.BrandID, q.Title, q.Body, q.ThreadID, Candidates)
	if err != nil || len(ids) == 0 {
		return []Source{}, err
	}
	words := search.Words(q.Title + "\n" + q.Body)
	words = words[:min(len(words), maxQuestionWords)]
	weights, err := s.search.Weights(ctx, q.BrandID, words)
	if err != nil {
		return nil, err
	}
	title := search.Words(q.Title)
	found, err := s.answers(ctx, q.BrandID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Source, 0, len(found))
	for i, c := range found {
		passage, inPassage := bestPassage(c.answer, weights)
		covers := cover(search.Words(c.Title+"\n"+c.answer), nil, weights)
		// What the whole source covers, what its best passage covers, what
		// its title shares with the asker's own summary, and a little of
		// the search's order (measured on the beer dump: docs/copilot.md).
		score := covers + inPassage + cover(search.Words(c.Title), title, weights) + 0.5/float64(i+1)
		out = append(out, Source{ThreadID: c.id, Title: c.Title, Slug: c.Slug, Passage: passage, Covers: covers, Score: score})
	}
	slices.SortStableFunc(out, func(a, b Source) int { return cmpDesc(a.Score, b.Score) })
	return out[:min(len(out), limit)], nil
}

// maxQuestionWords bounds the words weighed per question.
const maxQuestionWords = 60

type candidate struct {
	id          int64
	Title, Slug string
	answer      string
}

// answers reads each solved thread's title and accepted answer, in ids'
// order.
func (s *Service) answers(ctx context.Context, brandID int64, ids []int64) ([]candidate, error) {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := []any{brandID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Query(ctx, `SELECT t.id, t.title, t.slug, p.body_md FROM threads t
		JOIN posts p ON p.id = t.accepted_post_id
		WHERE t.brand_id = ? AND t.status = 'visible' AND p.status = 'visible' AND t.id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("copilot: answers: %w", err)
	}
	defer rows.Close()
	byID := map[int64]candidate{}
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.Title, &c.Slug, &c.answer); err != nil {
			return nil, err
		}
		byID[c.id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]candidate, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// Match is how much of the question the source covers, as a percentage.
func (s Source) Match() float64 { return s.Covers * 100 }
