package kb_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// BenchmarkSearchArticles ranks a brand's 2,000 published articles (far
// more than a brand's knowledge base holds) against a search box's words
// and against a whole question, as a copilot would ask; the articles are in
// memory after the first call, as they are between publications.
//
//	go test ./kb/ -run '^$' -bench SearchArticles -benchtime 2000x
func BenchmarkSearchArticles(b *testing.B) {
	{
		db := sqldbtest.Open(b, sqldb.SQLite)
		f := newFixture(b, db)
		vocab := strings.Fields(`router modem wifi password reset factory settings line broadband fibre outage bill invoice roaming
data plan sim esim port number contract upgrade phone signal coverage voicemail refund payment direct debit app login account
speed test cable socket light blink firmware update channel band mesh extender ethernet static address dns parental controls`)
		r := rand.New(rand.NewPCG(1, 2))
		words := func(n int) string {
			w := make([]string, n)
			for i := range w {
				w[i] = vocab[r.IntN(len(vocab))]
			}
			return strings.Join(w, " ")
		}
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := range 2000 {
				body := words(60) + ". " + words(40) + ". " + words(80) + "."
				if _, err := tx.Exec(ctx, `INSERT INTO kb_articles (brand_id, board_id, title, slug, body_md, body_html, tags, state, proposer_id,
revision_count, created_at, updated_at, published_at, review_by) VALUES (?, ?, ?, ?, ?, ?, '', 'published', ?, 1, 0, ?, 0, 0)`,
					f.brand.ID, f.board.ID, words(6), fmt.Sprintf("a-%d", i), body, body, f.trusted.UserID, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		question := "My router keeps dropping the wifi every evening since the firmware update, the light blinks orange and a factory reset did not help"
		b.Run("search", func(b *testing.B) {
			for b.Loop() {
				if _, err := f.kb.Search(ctx, f.brand.ID, "router firmware reset", 5); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("similar-question", func(b *testing.B) {
			for b.Loop() {
				if _, err := f.kb.Similar(ctx, f.brand.ID, question, 3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
