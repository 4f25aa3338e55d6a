package reputation_test

import (
	"testing"

	"mutual/forum"
	"mutual/reputation"
	"mutual/sqldb"
)

// Removing a post takes back exactly what it still holds, once; restoring
// gives it back, once; removing again after a restore takes it again.
func TestRemoveAndRestorePost(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		author, asker, voter := f.user(t, "author"), f.user(t, "asker"), f.user(t, "voter")
		const post = 42
		f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: author, Reason: reputation.KudosReceived, PostID: post, ActorID: voter, At: day1})
		f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: author, Reason: reputation.AnswerAccepted, PostID: post, ActorID: asker, At: day1})
		f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: asker, Reason: reputation.AcceptedOther, PostID: post, ActorID: author, At: day1})
		// Another post's points are not touched.
		f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: author, Reason: reputation.KudosReceived, PostID: post + 1, ActorID: voter, At: day1})

		move := func(fn func(tx *sqldb.Tx) error) {
			t.Helper()
			if err := f.db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		remove := func() {
			move(func(tx *sqldb.Tx) error {
				return reputation.RemovePost(ctx, forum.LedgerTx(tx), f.brand.ID, post, day1)
			})
		}
		restore := func() {
			move(func(tx *sqldb.Tx) error {
				return reputation.RestorePost(ctx, forum.LedgerTx(tx), f.brand.ID, post, day1)
			})
		}
		check := func(stage string, wantAuthor, wantAsker int64) {
			t.Helper()
			if a, b := f.total(t, author), f.total(t, asker); a != wantAuthor || b != wantAsker {
				t.Errorf("%s: author %d, asker %d; want %d, %d", stage, a, b, wantAuthor, wantAsker)
			}
		}
		check("before", 35, 2)
		remove()
		check("removed", 10, 0)
		remove()
		check("removed twice", 10, 0)
		restore()
		check("restored", 35, 2)
		restore()
		check("restored twice", 35, 2)
		remove()
		check("removed again", 10, 0)
		// Withdrawing kudos after remove+restore+remove finds nothing standing
		// for that voter beyond what the removal already took.
		restore()
		if got := f.reverse(t, reputation.Event{BrandID: f.brand.ID, UserID: author, Reason: reputation.KudosReceived, PostID: post, ActorID: voter, At: day1}); got != -10 {
			t.Errorf("kudos withdrawn after restore reversed %d, want -10", got)
		}
		check("kudos withdrawn", 25, 2)
	})
}

// An act withdrawn while its post was removed and given again later (kudos
// taken back and given anew, an answer unaccepted and accepted again) starts
// afresh: restoring the post gives back what was removed since, not what the
// removal before the withdrawal took as well.
func TestRestoreAfterActGivenAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		author, voter := f.user(t, "author"), f.user(t, "voter")
		const post = 42
		kudos := reputation.Event{BrandID: f.brand.ID, UserID: author, Reason: reputation.KudosReceived, PostID: post, ActorID: voter, At: day1}
		move := func(fn func(tx *sqldb.Tx) error) {
			t.Helper()
			if err := f.db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		remove := func() {
			move(func(tx *sqldb.Tx) error {
				return reputation.RemovePost(ctx, forum.LedgerTx(tx), f.brand.ID, post, day1)
			})
		}
		restore := func() {
			move(func(tx *sqldb.Tx) error {
				return reputation.RestorePost(ctx, forum.LedgerTx(tx), f.brand.ID, post, day1)
			})
		}
		f.award(t, kudos)
		remove()
		f.reverse(t, kudos) // taken back while hidden: a zero line
		restore()
		if got := f.total(t, author); got != 0 {
			t.Fatalf("restored after the kudos was withdrawn: %d, want 0", got)
		}
		f.award(t, kudos) // given again once the post is back
		remove()
		restore()
		if got := f.total(t, author); got != 10 {
			t.Errorf("kudos given again, post removed and restored: author has %d, want 10", got)
		}
		remove()
		if got := f.total(t, author); got != 0 {
			t.Errorf("removed again: author has %d, want 0", got)
		}
	})
}
