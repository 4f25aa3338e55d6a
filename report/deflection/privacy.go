package deflection

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// MemberActivity is the reports' part of a member's data export: their
// answers to "did this save you contacting us?", their clicks on "Contact
// us", the days they read each thread, and their holdout events (the group
// they were in when they opened the Ask form, and what they posted). Erasing a member keeps all of
// it (it names them by id only), so no report changes.
type MemberActivity struct {
	SurveyAnswers []SurveyData  `json:"survey_answers"`
	ContactClicks []ContactData `json:"contact_clicks"`
	ThreadsRead   []ReadData    `json:"threads_read"`
	Holdout       []HoldoutData `json:"holdout_events"`
}

// HoldoutData is one holdout event of the member.
type HoldoutData struct {
	Group    string    `json:"group"`
	Event    string    `json:"event"`
	ThreadID int64     `json:"thread_id,omitempty"`
	At       time.Time `json:"at"`
}

// SurveyData is one survey answer.
type SurveyData struct {
	ThreadID   int64     `json:"thread_id"`
	Saved      bool      `json:"saved_a_contact"`
	AnsweredAt time.Time `json:"answered_at"`
}

// ContactData is one click on "Contact us".
type ContactData struct {
	ThreadID int64     `json:"thread_id,omitempty"`
	At       time.Time `json:"at"`
}

// ReadData is a thread read on a day (UTC).
type ReadData struct {
	ThreadID int64  `json:"thread_id"`
	Day      string `json:"day"`
}

// ExportMember reads the reports' part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberActivity, error) {
	m := MemberActivity{SurveyAnswers: []SurveyData{}, ContactClicks: []ContactData{}, ThreadsRead: []ReadData{}, Holdout: []HoldoutData{}}
	rows, err := q.Query(ctx, `SELECT thread_id, saved, answered_at FROM deflection_survey WHERE user_id = ? AND brand_id = ? ORDER BY answered_at, id`, userID, brandID)
	if err != nil {
		return m, fmt.Errorf("deflection: export survey answers: %w", err)
	}
	for rows.Next() {
		var s SurveyData
		var at int64
		if err := rows.Scan(&s.ThreadID, &s.Saved, &at); err != nil {
			rows.Close()
			return m, err
		}
		s.AnsweredAt = time.UnixMilli(at).UTC()
		m.SurveyAnswers = append(m.SurveyAnswers, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	rows, err = q.Query(ctx, `SELECT COALESCE(thread_id, 0), at FROM contact_clicks WHERE user_id = ? AND brand_id = ? ORDER BY at, id`, userID, brandID)
	if err != nil {
		return m, fmt.Errorf("deflection: export contact clicks: %w", err)
	}
	for rows.Next() {
		var c ContactData
		var at int64
		if err := rows.Scan(&c.ThreadID, &at); err != nil {
			rows.Close()
			return m, err
		}
		c.At = time.UnixMilli(at).UTC()
		m.ContactClicks = append(m.ContactClicks, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	rows, err = q.Query(ctx, `SELECT thread_id, day FROM thread_view_days WHERE viewer_key = ? AND brand_id = ? ORDER BY day, thread_id`, MemberKey(userID), brandID)
	if err != nil {
		return m, fmt.Errorf("deflection: export reading: %w", err)
	}
	for rows.Next() {
		var r ReadData
		var day int64
		if err := rows.Scan(&r.ThreadID, &day); err != nil {
			rows.Close()
			return m, err
		}
		r.Day = time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
		m.ThreadsRead = append(m.ThreadsRead, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	rows, err = q.Query(ctx, `SELECT arm, event, COALESCE(thread_id, 0), at FROM holdout_exposures WHERE brand_id = ? AND asker_key = ?
ORDER BY at, id`, brandID, AskerKey(userID))
	if err != nil {
		return m, fmt.Errorf("deflection: export holdout events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h HoldoutData
		var at int64
		if err := rows.Scan(&h.Group, &h.Event, &h.ThreadID, &at); err != nil {
			return m, err
		}
		h.At = time.UnixMilli(at).UTC()
		m.Holdout = append(m.Holdout, h)
	}
	return m, rows.Err()
}
