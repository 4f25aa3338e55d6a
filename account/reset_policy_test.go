package account_test

import (
	"context"
	"testing"

	"mutual/sqldb"
)

// A member the policy refuses is mailed nothing, and their request is
// recorded as one that names no account: the same row, the same work.
func TestResetPolicyRefusesQuietly(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		refused, allowed := f.resetMember(t, "signs_in_elsewhere"), f.resetMember(t, "keeps_a_password")
		may := func(_ context.Context, _ sqldb.Querier, _, userID int64) (bool, error) {
			return userID != refused.ID, nil
		}
		q := &mailQueue{}
		for _, login := range []string{"signs_in_elsewhere", "keeps_a_password"} {
			if err := f.members.RequestResetIf(ctx, f.brand.ID, login, q.queue, may); err != nil {
				t.Fatalf("RequestResetIf(%q) = %v", login, err)
			}
		}
		if len(q.to) != 1 || q.to[0] != allowed.ID {
			t.Errorf("queued %v, want only %d", q.to, allowed.ID)
		}
		if n := resetRows(t, f, "user_id IS NULL"); n != 1 {
			t.Errorf("%d requests naming no account, want the refused one", n)
		}
	})
}
