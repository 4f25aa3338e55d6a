package escalation

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"mutual/forum"
	"mutual/reputation"
	"mutual/sqldb"
)

// Hook reacts to forum events inside their transaction (subscribe it with
// forum.Service.Subscribe):
//   - a peer reply (not staff, not the asker) to an unclaimed escalation
//     cancels it (late peer rescue) and credits the peer; after a claim it is
//     marked for the agent to see;
//   - a staff reply marks the escalation answered;
//   - an accepted answer resolves it, by the agent or by a peer after
//     escalation;
//   - a moderation act that locks, hides or deletes the thread withdraws it;
//   - any post with a fast-lane term escalates its thread at once;
//   - a mention from another channel that needs an answer enters the queue
//     at once, with the same agent SLA (the peers cannot answer it).
func (s *Service) Hook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if ev.ThreadID == 0 {
		return nil
	}
	switch {
	case ev.Kind == forum.PostReplied:
		if err := s.onReply(ctx, tx, ev); err != nil {
			return err
		}
		return s.fastLane(ctx, tx, ev)
	case ev.Kind == forum.ThreadAsked || ev.Kind == forum.PostEdited:
		return s.fastLane(ctx, tx, ev)
	case ev.Kind == forum.AnswerAccepted:
		return s.onAccepted(ctx, tx, ev)
	case ev.Kind == forum.MentionReceived && ev.Note == forum.NeedsAnswer:
		return s.onMention(ctx, tx, ev)
	case strings.HasPrefix(string(ev.Kind), "moderation."):
		return s.onModeration(ctx, tx, ev)
	}
	return nil
}

func (s *Service) onReply(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if ev.ActorID == ev.ThreadAuthorID {
		return nil
	}
	x, ok, err := byThread(ctx, tx, ev.BrandID, ev.ThreadID)
	if err != nil || !ok || !x.Open() || x.Status == StatusHeld {
		return err // a held escalation waits for its incident to close
	}
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM posts WHERE id = ?`, ev.PostID).Scan(&status); err != nil {
		return wrap("reply status", err)
	}
	if status != "visible" {
		return nil // held for review: not an answer yet
	}
	st, err := s.Settings(ctx, tx, ev.BrandID)
	if err != nil {
		return err
	}
	at := ev.At
	if ev.ActorStaff {
		if x.Status == StatusAnswered {
			return nil
		}
		if x.Unclaimed() {
			// An agent answered without claiming first: the reply claims it.
			if _, err := tx.Exec(ctx, `UPDATE escalations SET claimed_by = ?, claimed_at = ?, assigned_to = ?,
assigned_at = COALESCE(assigned_at, ?) WHERE id = ?`, ev.ActorID, sqldb.Millis(at), ev.ActorID, sqldb.Millis(at), x.ID); err != nil {
				return wrap("claim by reply", err)
			}
			if err := record(ctx, tx, st, x, EvClaimed, ev.ActorID, coded(NoteClaimedByReply), at); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'answered', answered_at = ? WHERE id = ?`, sqldb.Millis(at), x.ID); err != nil {
			return wrap("answered", err)
		}
		return record(ctx, tx, st, x, EvAnswered, ev.ActorID, coded(NoteAnswered, "post", strconv.FormatInt(ev.PostID, 10)), at)
	}
	if x.Unclaimed() {
		if err := cancel(ctx, tx, st, x, ResLatePeer, ev.ActorID, coded(NoteLatePeer, "post", strconv.FormatInt(ev.PostID, 10)), at); err != nil {
			return err
		}
		_, err := reputation.Award(ctx, forum.LedgerTx(tx), reputation.Event{BrandID: ev.BrandID, UserID: ev.ActorID, Reason: reputation.PeerRescue,
			PostID: ev.PostID, At: at})
		return wrap("rescue bonus", err)
	}
	if x.PeerReplyAt.IsZero() {
		_, err := tx.Exec(ctx, `UPDATE escalations SET peer_reply_at = ? WHERE id = ?`, sqldb.Millis(at), x.ID)
		return wrap("peer reply after claim", err)
	}
	return nil
}

func (s *Service) onAccepted(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	// Solved: "still need help" no longer stands, and the thread leaves the
	// rule-2 candidate index.
	if err := forum.ClearStillNeedsHelp(ctx, tx, ev.ThreadID); err != nil {
		return wrap("clear still need help", err)
	}
	x, ok, err := byThread(ctx, tx, ev.BrandID, ev.ThreadID)
	if err != nil || !ok || !x.Open() {
		return err
	}
	var staff int
	if err := tx.QueryRow(ctx, `SELECT is_staff FROM posts WHERE id = ?`, ev.PostID).Scan(&staff); err != nil {
		return wrap("accepted post", err)
	}
	st, err := s.Settings(ctx, tx, ev.BrandID)
	if err != nil {
		return err
	}
	res, note := ResPeerAfterEscalation, coded(NoteAcceptedPeer, "post", strconv.FormatInt(ev.PostID, 10))
	if staff == 1 {
		res, note = ResAgent, coded(NoteAcceptedStaff, "post", strconv.FormatInt(ev.PostID, 10))
	}
	return resolve(ctx, tx, st, x, res, ev.ActorID, note, ev.At)
}

func (s *Service) onModeration(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	x, ok, err := byThread(ctx, tx, ev.BrandID, ev.ThreadID)
	if err != nil || !ok || !x.Open() || x.Status == StatusHeld {
		return err // a held escalation waits for its incident to close
	}
	var status string
	var locked int64
	if err := tx.QueryRow(ctx, `SELECT status, COALESCE(locked_at, 0) FROM threads WHERE id = ?`, ev.ThreadID).Scan(&status, &locked); err != nil {
		return wrap("thread state", err)
	}
	if status == "visible" && locked == 0 {
		return nil
	}
	st, err := s.Settings(ctx, tx, ev.BrandID)
	if err != nil {
		return err
	}
	note := coded(NoteModerated, "act", strings.TrimPrefix(string(ev.Kind), "moderation."), "text", ev.Note)
	return cancel(ctx, tx, st, x, ResWithdrawn, ev.ActorID, note, ev.At)
}

// fastLane escalates at once, with top priority, a thread whose new or
// edited post names one of the brand's safety or brand-defence terms.
func (s *Service) fastLane(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	var body, title string
	if err := tx.QueryRow(ctx, `SELECT p.body_md, t.title FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = ?`, ev.PostID).
		Scan(&body, &title); err != nil {
		return wrap("fast lane post", err)
	}
	st, err := s.hookSettings(ctx, tx, ev.BrandID)
	if err != nil {
		return err
	}
	text := body
	if ev.Kind == forum.ThreadAsked {
		text = title + "\n" + body
	}
	w := matchTerm(text, st.FastLane)
	if w == "" {
		return nil
	}
	x, ok, err := byThread(ctx, tx, ev.BrandID, ev.ThreadID)
	if err != nil {
		return err
	}
	if ok {
		if x.Open() && x.Priority < PrioFastLane {
			_, err := tx.Exec(ctx, `UPDATE escalations SET priority = ?, reason = reason || ? WHERE id = ?`,
				PrioFastLane, fmt.Sprintf("; fast lane %q", w), x.ID)
			return wrap("raise priority", err)
		}
		return nil
	}
	_, err = fire(ctx, tx, st, nil, fireArgs{threadID: ev.ThreadID, kind: KindFastLane, reason: coded(NoteFastLane, "word", w),
		actor: 0, priority: PrioFastLane, at: ev.At})
	return err
}

// onMention queues a mention that needs an answer, with the fast lane's
// check of its words (a mention saying "outage" or "scam" comes first).
func (s *Service) onMention(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	st, err := s.hookSettings(ctx, tx, ev.BrandID)
	if err != nil {
		return err
	}
	var channel, body string
	if err := tx.QueryRow(ctx, `SELECT t.channel, p.body_md FROM threads t JOIN posts p ON p.thread_id = t.id AND p.is_question = 1 WHERE t.id = ?`,
		ev.ThreadID).Scan(&channel, &body); err != nil {
		return wrap("mention", err)
	}
	prio, reason := 0, coded(NoteMention, "word", channel)
	if w := matchTerm(body, st.FastLane); w != "" {
		prio, reason = PrioFastLane, coded(NoteMentionFast, "word", channel, "text", w)
	}
	_, err = fire(ctx, tx, st, nil, fireArgs{threadID: ev.ThreadID, kind: KindMention, reason: reason, priority: prio, at: ev.At})
	return err
}
