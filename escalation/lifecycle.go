package escalation

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
	"mutual/sqldb"
)

// isAgent reports whether the actor may work escalations of their brand.
func isAgent(a account.Actor) bool { return a.Has("agent") || a.Has("admin") }

// change runs fn on escalation id of the actor's brand inside one
// transaction, with the brand's settings.
func (s *Service) change(ctx context.Context, a account.Actor, id int64, what string,
	fn func(tx *sqldb.Tx, st Settings, x Escalation) error) (Escalation, error) {
	if !a.SignedIn() {
		return Escalation{}, fault.ErrUnauthenticated
	}
	if !isAgent(a) {
		return Escalation{}, denied(i18n.T(ctx, "escmsg.only_agents"))
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		st, err := s.Settings(ctx, tx, a.BrandID)
		if err != nil {
			return err
		}
		x, err := get(ctx, tx, a.BrandID, id)
		if err != nil {
			return err
		}
		return fn(tx, st, x)
	})
	if err != nil {
		return Escalation{}, fmt.Errorf("escalation: %s %d: %w", what, id, err)
	}
	return get(ctx, s.db, a.BrandID, id)
}

// Claim takes an escalation for the acting agent. It must be open and not
// claimed by someone else; claiming one routed to another agent takes it over.
func (s *Service) Claim(ctx context.Context, a account.Actor, id int64) (Escalation, error) {
	return s.change(ctx, a, id, "claim", func(tx *sqldb.Tx, st Settings, x Escalation) error {
		if !x.Unclaimed() {
			if x.ClaimedBy == a.UserID && x.Status == StatusClaimed {
				return nil // claiming twice is harmless
			}
			return conflict(i18n.T(ctx, "escmsg.cannot_claim", "Status", i18n.T(ctx, "esc.status."+x.Status)))
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE escalations SET status = 'claimed', claimed_by = ?, claimed_at = ?, assigned_to = ?,
assigned_at = COALESCE(assigned_at, ?) WHERE id = ? AND status IN ('escalated', 'assigned')`, a.UserID, sqldb.Millis(now), a.UserID, sqldb.Millis(now), x.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return conflict(i18n.T(ctx, "escmsg.changed"))
		}
		return record(ctx, tx, st, x, EvClaimed, a.UserID, Note{}, now)
	})
}

// Release hands a claimed (or assigned) escalation back to the queue, where
// it is routed to another agent.
func (s *Service) Release(ctx context.Context, a account.Actor, id int64, note string) (Escalation, error) {
	note, err := checkNote(ctx, note, false)
	if err != nil {
		return Escalation{}, err
	}
	return s.change(ctx, a, id, "release", func(tx *sqldb.Tx, st Settings, x Escalation) error {
		if x.Status != StatusClaimed && x.Status != StatusAssigned {
			return conflict(i18n.T(ctx, "escmsg.cannot_release", "Status", i18n.T(ctx, "esc.status."+x.Status)))
		}
		if x.AssignedTo != a.UserID && !a.CanModerate() && !a.Has("admin") {
			return denied(i18n.T(ctx, "escmsg.only_holder_release"))
		}
		return unassign(ctx, tx, st, x, EvReleased, a.UserID, said(note), s.now())
	})
}

// Handover passes an escalation to another agent of the brand with a note:
// recorded as released by the giver and assigned to the taker, who claims it.
func (s *Service) Handover(ctx context.Context, a account.Actor, id, to int64, note string) (Escalation, error) {
	note, err := checkNote(ctx, note, true)
	if err != nil {
		return Escalation{}, err
	}
	return s.change(ctx, a, id, "hand over", func(tx *sqldb.Tx, st Settings, x Escalation) error {
		if !x.Open() || x.Status == StatusAnswered {
			return conflict(i18n.T(ctx, "escmsg.cannot_handover", "Status", i18n.T(ctx, "esc.status."+x.Status)))
		}
		if x.AssignedTo != 0 && x.AssignedTo != a.UserID && !a.CanModerate() {
			return denied(i18n.T(ctx, "escmsg.only_holder_handover"))
		}
		var others, n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN user_id = ? THEN 1 END) FROM agents WHERE brand_id = ? AND user_id <> ?`,
			to, a.BrandID, a.UserID).Scan(&others, &n); err != nil {
			return err
		}
		switch {
		case others == 0:
			return invalid("to", i18n.T(ctx, "escmsg.nobody_to_hand"))
		case to <= 0:
			return invalid("to", i18n.T(ctx, "escmsg.choose_agent"))
		case to == a.UserID:
			return invalid("to", i18n.T(ctx, "escmsg.choose_other_agent"))
		case n == 0:
			return invalid("to", i18n.T(ctx, "escmsg.not_agent"))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'assigned', assigned_to = ?, assigned_at = ?, claimed_by = NULL,
claimed_at = NULL, handover_note = ? WHERE id = ?`, to, sqldb.Millis(now), note, x.ID); err != nil {
			return err
		}
		if err := record(ctx, tx, st, x, EvReleased, a.UserID, coded(NoteHandover, "text", note), now); err != nil {
			return err
		}
		return record(ctx, tx, st, x, EvAssigned, to, coded(NoteHandoverFrom, "name", a.Username, "text", note), now)
	})
}

// Close ends an escalation the acting agent holds: after their answer
// (resolved by the agent), or without replying when a peer replied after the
// claim (resolved by the peer after escalation).
func (s *Service) Close(ctx context.Context, a account.Actor, id int64, note string) (Escalation, error) {
	note, err := checkNote(ctx, note, false)
	if err != nil {
		return Escalation{}, err
	}
	return s.change(ctx, a, id, "close", func(tx *sqldb.Tx, st Settings, x Escalation) error {
		res := ""
		switch {
		case x.Status == StatusAnswered:
			res = ResAgent
		case x.Status == StatusClaimed && !x.PeerReplyAt.IsZero():
			res = ResPeerAfterEscalation
		case x.Status == StatusClaimed && x.Kind == KindMention:
			res = ResAgent // answered where it was said: Mutual sends nothing there
		case x.Status == StatusClaimed:
			return conflict(i18n.T(ctx, "escmsg.reply_first"))
		default:
			return conflict(i18n.T(ctx, "escmsg.claim_first", "Status", i18n.T(ctx, "esc.status."+x.Status)))
		}
		if x.ClaimedBy != a.UserID && x.AssignedTo != a.UserID && !a.CanModerate() {
			return denied(i18n.T(ctx, "escmsg.only_holder_close"))
		}
		return resolve(ctx, tx, st, x, res, a.UserID, said(note), s.now())
	})
}

func checkNote(ctx context.Context, note string, required bool) (string, error) {
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || strings.ContainsRune(note, 0) {
		return "", invalid("note", i18n.T(ctx, "escmsg.note_chars"))
	}
	if required && utf8.RuneCountInString(note) < 3 {
		return "", invalid("note", i18n.T(ctx, "escmsg.note_short"))
	}
	if utf8.RuneCountInString(note) > 1000 {
		return "", invalid("note", i18n.T(ctx, "escmsg.note_long"))
	}
	return note, nil
}

// resolve ends x with a resolution; cancelled ends (late peer, withdrawn)
// use cancel.
func resolve(ctx context.Context, tx *sqldb.Tx, st Settings, x Escalation, res string, actor int64, note Note, at time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'resolved', resolution = ?, closed_at = ? WHERE id = ?`, res, sqldb.Millis(at), x.ID); err != nil {
		return wrap("resolve", err)
	}
	if note.String() == "" {
		note = coded(NoteResolved, "resolution", res)
	}
	return record(ctx, tx, st, x, EvResolved, actor, note, at)
}

func cancel(ctx context.Context, tx *sqldb.Tx, st Settings, x Escalation, res string, actor int64, note Note, at time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'cancelled', resolution = ?, closed_at = ? WHERE id = ?`, res, sqldb.Millis(at), x.ID); err != nil {
		return wrap("cancel", err)
	}
	return record(ctx, tx, st, x, EvCancelled, actor, note, at)
}

// MinReason is the shortest reason a manual escalation accepts.
const MinReason = 10

// Escalate raises a thread to agents at once, with a reason: the asker
// ("I still need help") or a trusted member who judges the community has
// run out of road. Returns the escalation (ErrConflict when it already has one).
func (s *Service) Escalate(ctx context.Context, a account.Actor, threadID int64, reason string) (Escalation, error) {
	if !a.SignedIn() {
		return Escalation{}, fault.ErrUnauthenticated
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); !utf8.ValidString(reason) || n < MinReason || n > 1000 {
		return Escalation{}, invalid("reason", i18n.T(ctx, "escmsg.reason_len", "Min", MinReason))
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var author int64
		var status string
		var locked int64
		err := tx.QueryRow(ctx, `SELECT author_id, status, COALESCE(locked_at, 0) FROM threads WHERE id = ? AND brand_id = ?`,
			threadID, a.BrandID).Scan(&author, &status, &locked)
		if err != nil {
			return notFoundOr(err, i18n.T(ctx, "escmsg.no_thread"))
		}
		if status != "visible" {
			return notFound(i18n.T(ctx, "escmsg.no_thread"))
		}
		if locked != 0 {
			return conflict(i18n.T(ctx, "escmsg.locked"))
		}
		if author != a.UserID && !a.Has("trusted") && !a.CanModerate() {
			rep, need, err := reputationTrusted(ctx, tx, a)
			if err != nil {
				return err
			}
			if rep < need {
				if a.IsStaff() { // staff earn no reputation
					return denied(i18n.T(ctx, "escmsg.only_asker_or_trusted"))
				}
				return denied(i18n.T(ctx, "escmsg.unlocks", "Need", i18n.From(ctx).Int(need), "Have", i18n.From(ctx).Int(rep)))
			}
		}
		if _, ok, err := byThread(ctx, tx, a.BrandID, threadID); err != nil {
			return err
		} else if ok {
			return conflict(i18n.T(ctx, "escmsg.already"))
		}
		st, err := s.Settings(ctx, tx, a.BrandID)
		if err != nil {
			return err
		}
		why := coded(NoteByAsker, "text", reason)
		if author != a.UserID {
			why = coded(NoteByTrusted, "name", a.Username, "text", reason)
		}
		made, err := fire(ctx, tx, st, nil, fireArgs{threadID: threadID, kind: KindManual, reason: why,
			actor: a.UserID, at: now})
		if err != nil {
			return err
		}
		if !made {
			return conflict(i18n.T(ctx, "escmsg.not_now"))
		}
		return nil
	})
	if err != nil {
		return Escalation{}, fmt.Errorf("escalation: escalate thread %d: %w", threadID, err)
	}
	x, _, err := byThread(ctx, s.db, a.BrandID, threadID)
	return x, err
}

// reputationTrusted returns the member's reputation and the brand's
// "trusted" threshold (brands.rep_trusted), for brands that grant the
// privilege by reputation rather than by role: trusted when rep >= need.
func reputationTrusted(ctx context.Context, q sqldb.Querier, a account.Actor) (rep, need int64, err error) {
	err = q.QueryRow(ctx, `SELECT u.reputation, b.rep_trusted FROM users u JOIN brands b ON b.id = ?
WHERE u.id = ?`, a.BrandID, a.UserID).Scan(&rep, &need)
	if err != nil {
		return 0, 0, wrap("reputation", err)
	}
	return rep, need, nil
}

// StillNeedHelp records that the asker still needs help with their thread.
// Once the brand's resolution SLA has passed without an accepted answer, the
// detector escalates it (at once if it already has). Pressing it again is
// harmless.
func (s *Service) StillNeedHelp(ctx context.Context, a account.Actor, threadID int64) error {
	if !a.SignedIn() {
		return fault.ErrUnauthenticated
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var author, accepted int64
		var status string
		err := tx.QueryRow(ctx, `SELECT author_id, COALESCE(accepted_post_id, 0), status FROM threads WHERE id = ? AND brand_id = ?`,
			threadID, a.BrandID).Scan(&author, &accepted, &status)
		if err != nil {
			return notFoundOr(err, i18n.T(ctx, "escmsg.no_thread"))
		}
		if status != "visible" {
			return notFound(i18n.T(ctx, "escmsg.no_thread"))
		}
		if author != a.UserID {
			return denied(i18n.T(ctx, "escmsg.only_asker_still"))
		}
		if accepted != 0 {
			return conflict(i18n.T(ctx, "escmsg.has_accepted"))
		}
		return forum.MarkStillNeedsHelp(ctx, tx, threadID, s.now())
	})
	return wrap("still need help", err)
}
