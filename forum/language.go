package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mutual/account"
	"mutual/fault"
	"mutual/forum/lang"
	"mutual/i18n"
	"mutual/sqldb"
)

// A thread records the language it was asked in. Content is never
// translated: the label lets boards and search filter by language, similar
// questions prefer the asker's, and escalations reach an agent who reads it.

// LanguageName is the thread's language in its own words (Español), or ""
// when it is not known.
func (t Thread) LanguageName() string { return lang.Name(t.Language) }

// askedIn is the language a new question is labelled with: the asker's
// choice when they made one (a code lang knows, or a field error), else the
// language its title and body are detected to be in.
func askedIn(v fault.Validation, nt NewThread) string {
	if code := strings.ToLower(strings.TrimSpace(nt.Language)); code != "" {
		if !lang.Valid(code) {
			v.Add("language", "Choose the language of your question from the list.")
		}
		return code
	}
	return lang.Detect(nt.Title + "\n" + nt.Body)
}

// StaffAudit records a staff act in the audit log inside tx: what was acted
// on (targetType, targetID) and its state before and after.
type StaffAudit func(ctx context.Context, tx *sqldb.Tx, a account.Actor, act, targetType string, targetID int64, before, after any) error

// ActRelabelled is the audit log's name for a staff member changing the
// language of someone else's thread.
const ActRelabelled = "thread_relabelled"

// Relabel changes the language a thread is labelled with, when the
// detector guessed wrong or the asker chose wrong: whoever may edit its
// question may (its asker, moderators, members trusted to edit others'
// posts), as on Stack Overflow anyone who may edit a question may retag
// it. A staff member's change to someone else's thread goes in the audit
// log. It returns a fault.ValidationError on the language field for a code
// that is not a known language, and CanEdit's errors.
func (s *Service) Relabel(ctx context.Context, a account.Actor, threadID int64, code string) (Thread, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if !lang.Valid(code) {
		return Thread{}, &fault.ValidationError{Fields: map[string]string{"language": "Choose the language of the question from the list."}}
	}
	t, err := s.Thread(ctx, a.BrandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	q, err := s.Question(ctx, a.BrandID, t.ID)
	if err != nil {
		return Thread{}, err
	}
	if err := s.CanEdit(ctx, a, q); err != nil {
		return Thread{}, err
	}
	if t.Language == code {
		return t, nil
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE threads SET language = ? WHERE id = ? AND brand_id = ?`, code, t.ID, a.BrandID); err != nil {
			return err
		}
		if s.Audit == nil || !a.IsStaff() || a.UserID == t.AuthorID {
			return nil
		}
		return s.Audit(ctx, tx, a, ActRelabelled, "thread", t.ID, map[string]string{"language": t.Language}, map[string]string{"language": code})
	})
	if err != nil {
		return Thread{}, fmt.Errorf("forum: relabel thread %d: %w", t.ID, err)
	}
	s.changed(Change{BrandID: a.BrandID, ThreadID: t.ID, Lists: true})
	return s.Thread(ctx, a.BrandID, t.ID)
}

// Question returns a thread's question post, or fault.ErrNotFound.
func (s *Service) Question(ctx context.Context, brandID, threadID int64) (Post, error) {
	q, err := scanPost(s.db.QueryRow(ctx, `SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.thread_id = ? AND p.brand_id = ? AND p.is_question = 1`, threadID, brandID))
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fault.NotFound("That thread does not exist.")
	}
	if err != nil {
		return Post{}, fmt.Errorf("forum: question of thread %d: %w", threadID, err)
	}
	return q, nil
}

// ParseLanguage accepts "" (every language) or a language code threads are
// labelled with, for list and search filters.
func ParseLanguage(ctx context.Context, s string) (string, error) {
	code := strings.ToLower(strings.TrimSpace(s))
	if code == "" || code == "all" {
		return "", nil
	}
	if !lang.Valid(code) {
		return "", &fault.ValidationError{Fields: map[string]string{"lang": i18n.T(ctx, "searchmsg.lang")}}
	}
	return code, nil
}

// Languages lists the languages the brand's threads were asked in, in the
// order lang.Known gives them: the choices a language filter offers. It
// seeks from one language to the next along threads_brand_language, a
// query per language, never a scan of the brand's threads.
func (s *Service) Languages(ctx context.Context, brandID int64) ([]lang.Language, error) {
	var codes []string
	prev := ""
	for range 64 { // a bound well above the languages there are
		var next sql.NullString
		err := s.db.QueryRow(ctx, `SELECT MIN(language) FROM threads WHERE brand_id = ? AND language > ?`, brandID, prev).Scan(&next)
		if err != nil {
			return nil, fmt.Errorf("forum: thread languages: %w", err)
		}
		if !next.Valid {
			break
		}
		codes, prev = append(codes, next.String), next.String
	}
	return lang.Names(codes), nil
}

// LabelThreads detects and records the language of up to limit threads
// that have none (written before threads were labelled, or by a bulk writer
// that leaves it to this), from their title and question, and returns how
// many it labelled. Run until it returns 0, it labels them all.
func (s *Service) LabelThreads(ctx context.Context, limit int) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT t.id, t.title, COALESCE(p.body_md, '') FROM threads t
LEFT JOIN posts p ON p.thread_id = t.id AND p.is_question = 1
WHERE t.language = '' ORDER BY t.id LIMIT ?`, limit)
	if err != nil {
		return 0, fmt.Errorf("forum: threads to label: %w", err)
	}
	byLang := map[string][]int64{}
	n := 0
	for rows.Next() {
		var id int64
		var title, body string
		if err := rows.Scan(&id, &title, &body); err != nil {
			rows.Close()
			return 0, fmt.Errorf("forum: threads to label: %w", err)
		}
		code := lang.Detect(title + "\n" + body)
		byLang[code] = append(byLang[code], id)
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil || n == 0 {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for code, ids := range byLang {
			for len(ids) > 0 {
				chunk := ids[:min(len(ids), 500)]
				ids = ids[len(chunk):]
				in, args := sqldb.InList(chunk)
				// Only threads still unlabelled: an asker's choice is never overwritten.
				if _, err := tx.Exec(ctx, `UPDATE threads SET language = ? WHERE language = '' AND id IN (`+in+`)`,
					append([]any{code}, args...)...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("forum: label threads: %w", err)
	}
	return n, nil
}
