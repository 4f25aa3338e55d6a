package forum

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mutual/fault"
	"mutual/forum/lang"
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

// ParseLanguage accepts "" (every language) or a language code threads are
// labelled with, for list and search filters.
func ParseLanguage(s string) (string, error) {
	code := strings.ToLower(strings.TrimSpace(s))
	if code == "" || code == "all" {
		return "", nil
	}
	if !lang.Valid(code) {
		return "", &fault.ValidationError{Fields: map[string]string{"lang": "lang must be a language code such as en or es"}}
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
