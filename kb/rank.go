package kb

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Hit is a published article found for a query or a text, with its score
// (BM25 over the brand's published articles: title, tags and body weighted
// apart) and the sentence of its body that shares most of the query's
// words, for a result line or, later, a copilot's passage.
type Hit struct {
	Article Article
	Score   float64
	Passage string
}

// Field weights: a word in the title says more than one in the body.
const (
	titleWeight = 3.0
	tagWeight   = 2.0
	bodyWeight  = 1.0
	bm25K1      = 1.2
	bm25B       = 0.75
)

// corpusTTL bounds how long another instance's publication can take to
// reach this one's ranking; this instance's own changes drop it at once.
const corpusTTL = 30 * time.Second

// doc is one published article, tokenised.
type doc struct {
	art       Article
	tf        map[string]float64 // weighted term frequency over the fields
	length    float64
	sentences []string
	sentTerms [][]string // each sentence's terms, for choosing the passage
}

// corpus is a brand's published articles as ranking needs them, and which
// threads each came from (the thread page's "now an article" line reads it
// here rather than asking the database on every view).
type corpus struct {
	docs     []doc
	df       map[string]int
	avgLen   float64
	at       time.Time
	byThread map[int64][]int // source thread -> indexes in docs
}

// stopWords carry no topic.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be by can do does for from how i if in is it its me my no not
of on or so that the this to was what when where which who why will with you your de la el en es y o un una los las del por para
se no que w z i na do to jak nie się`) {
		stopWords[w] = true
	}
}

// terms splits text into folded, lightly stemmed words without stop words:
// "Resetting the routers" gives "reset", "router".
func terms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if stopWords[w] || len(w) < 2 {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem takes English inflections off longer words, so "resets",
// "resetting" and "reset" meet.
func stem(w string) string {
	if len(w) <= 4 {
		return w
	}
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			w = strings.TrimSuffix(w, suf)
			break
		}
	}
	if n := len(w); n >= 4 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiou", rune(w[n-1])) {
		w = w[:n-1]
	}
	return w
}

func (s *Service) forget(brandID int64) {
	s.mu.Lock()
	delete(s.corpora, brandID)
	s.mu.Unlock()
}

// corpus returns the brand's published articles, tokenised, from memory
// when fresh.
func (s *Service) corpus(ctx context.Context, brandID int64) (*corpus, error) {
	now := s.now()
	s.mu.Lock()
	c := s.corpora[brandID]
	s.mu.Unlock()
	if c != nil && now.Sub(c.at) < corpusTTL && !now.Before(c.at) {
		return c, nil
	}
	arts, err := scanArticles(s.db.Query(ctx, `SELECT `+articleCols+articleFrom+` WHERE a.brand_id = ? AND a.state = 'published' ORDER BY a.id`, brandID))
	if err != nil {
		return nil, err
	}
	c = &corpus{df: map[string]int{}, at: now, byThread: map[int64][]int{}}
	var total float64
	for _, a := range arts {
		d := doc{art: a, tf: map[string]float64{}}
		add := func(text string, w float64) {
			for _, t := range terms(text) {
				d.tf[t] += w
				d.length += w
			}
		}
		body := plainLines(a.BodyMD)
		add(a.Title, titleWeight)
		add(strings.Join(a.Tags, " "), tagWeight)
		add(body, bodyWeight)
		d.sentences = sentences(body)
		for _, x := range d.sentences {
			d.sentTerms = append(d.sentTerms, terms(x))
		}
		for t := range d.tf {
			c.df[t]++
		}
		total += d.length
		c.docs = append(c.docs, d)
	}
	if len(c.docs) > 0 {
		c.avgLen = total / float64(len(c.docs))
	}
	if err := c.indexSources(ctx, s, brandID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.corpora[brandID] = c
	s.mu.Unlock()
	return c, nil
}

// indexSources maps each source thread to its published articles.
func (c *corpus) indexSources(ctx context.Context, s *Service, brandID int64) error {
	at := make(map[int64]int, len(c.docs))
	for i, d := range c.docs {
		at[d.art.ID] = i
	}
	rows, err := s.db.Query(ctx, `SELECT src.thread_id, src.article_id FROM kb_article_sources src
JOIN kb_articles a ON a.id = src.article_id WHERE a.brand_id = ? AND a.state = 'published' ORDER BY a.updated_at DESC, a.id`, brandID)
	if err != nil {
		return fmt.Errorf("kb: sources of published articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var thread, article int64
		if err := rows.Scan(&thread, &article); err != nil {
			return err
		}
		if i, ok := at[article]; ok {
			c.byThread[thread] = append(c.byThread[thread], i)
		}
	}
	return rows.Err()
}

// rank scores every article sharing at least need of the query's distinct
// terms, best first.
func (c *corpus) rank(query []string, need, limit int) []Hit {
	uniq := map[string]bool{}
	var qs []string
	for _, t := range query {
		if !uniq[t] {
			uniq[t] = true
			qs = append(qs, t)
		}
	}
	n := float64(len(c.docs))
	var hits []Hit
	var at []int // each hit's doc
	for i, d := range c.docs {
		var score float64
		shared := 0
		for _, t := range qs {
			f := d.tf[t]
			if f == 0 {
				continue
			}
			shared++
			df := float64(c.df[t])
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			score += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*d.length/c.avgLen))
		}
		if shared >= need && shared > 0 {
			hits = append(hits, Hit{Article: d.art, Score: score})
			at = append(at, i)
		}
	}
	order := make([]int, len(hits))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(x, y int) bool {
		a, b := hits[order[x]], hits[order[y]]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Article.ID < b.Article.ID
	})
	if len(order) > limit {
		order = order[:limit]
	}
	// Passages only for the hits returned: choosing one reads every sentence.
	out := make([]Hit, len(order))
	for k, i := range order {
		d := c.docs[at[i]]
		out[k] = hits[i]
		out[k].Passage = bestSentence(d.sentences, d.sentTerms, uniq)
	}
	return out
}

// Search finds published articles for a search box's words: an article must
// hold at least half of them (all of one or two).
func (s *Service) Search(ctx context.Context, brandID int64, q string, limit int) ([]Hit, error) {
	ts := terms(q)
	if len(ts) == 0 {
		return nil, nil
	}
	c, err := s.corpus(ctx, brandID)
	if err != nil {
		return nil, err
	}
	need := distinct(ts)
	if need > 2 {
		need = (need + 1) / 2
	}
	return c.rank(ts, need, limit), nil
}

// Similar finds the published articles closest to a text (a question's
// title, or a whole thread for an agent's copilot): those sharing at least
// two of its words (one, for a one-word text), best first.
func (s *Service) Similar(ctx context.Context, brandID int64, text string, limit int) ([]Hit, error) {
	ts := terms(text)
	if len(ts) == 0 {
		return nil, nil
	}
	c, err := s.corpus(ctx, brandID)
	if err != nil {
		return nil, err
	}
	return c.rank(ts, min(2, distinct(ts)), limit), nil
}

func distinct(ts []string) int {
	seen := map[string]bool{}
	for _, t := range ts {
		seen[t] = true
	}
	return len(seen)
}

var (
	mdLink   = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdLeader = regexp.MustCompile(`(?m)^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)+`)
	mdMarks  = strings.NewReplacer("**", "", "__", "", "`", "", "~~", "", "*", "")
)

// plainLines is an article's markdown as plain text that keeps its line
// breaks (headings, list items and paragraphs stay apart, so a passage is
// one of them): links become their text, marks and line leaders go.
func plainLines(md string) string {
	return mdMarks.Replace(mdLeader.ReplaceAllString(mdLink.ReplaceAllString(md, "$1"), ""))
}

// sentences splits plain text at sentence ends and line breaks.
func sentences(text string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i, r := range text {
		switch r {
		case '\n':
			flush(i + 1)
		case '.', '?', '!':
			if i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n' {
				flush(i + 1)
			}
		}
	}
	flush(len(text))
	return out
}

// bestSentence is the sentence holding most of the query's terms (the first
// on a tie), cut to a readable length.
func bestSentence(ss []string, ts [][]string, q map[string]bool) string {
	best, bestN := "", -1
	for i, s := range ss {
		n := 0
		seen := map[string]bool{}
		for _, t := range ts[i] {
			if q[t] && !seen[t] {
				seen[t] = true
				n++
			}
		}
		if n > bestN {
			best, bestN = s, n
		}
	}
	if r := []rune(best); len(r) > 240 {
		best = string(r[:239]) + "…"
	}
	return best
}
