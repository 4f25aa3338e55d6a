package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/reputation"
	"mutual/sqldb"
	"mutual/themes"
)

// repConfigTTL bounds how long another instance's change to a brand's ranks
// or rules takes to show here; this instance forgets at once on save.
const repConfigTTL = 10 * time.Second

type repCacheKey struct {
	db    *sqldb.DB
	brand int64
}

type repCached struct {
	cfg reputation.Config
	at  time.Time
}

// repConfigs caches each brand's reputation configuration: every thread
// page needs its rank ladder, and it changes rarely.
var repConfigs sync.Map // repCacheKey -> repCached

func (a *App) repConfig(ctx context.Context, brandID int64) (reputation.Config, error) {
	k := repCacheKey{a.db, brandID}
	if v, ok := repConfigs.Load(k); ok && time.Since(v.(repCached).at) < repConfigTTL {
		return v.(repCached).cfg, nil
	}
	cfg, err := reputation.LoadConfig(ctx, a.db, brandID)
	if err != nil {
		return reputation.Config{}, err
	}
	repConfigs.Store(k, repCached{cfg: cfg, at: time.Now()})
	return cfg, nil
}

func (a *App) repForget(brandID int64) { repConfigs.Delete(repCacheKey{a.db, brandID}) }

// repLadder is a brand's rank ladder, lowest first.
type repLadder []reputation.Rank

// repRanks returns the brand's ladder from the cached configuration. Lists
// that name authors (threads, posts, search results, the review queue, the
// API) put a rank beside every name with it: their rows carry the author's
// reputation, so there is no query per row.
func (a *App) repRanks(ctx context.Context, brandID int64) (repLadder, error) {
	cfg, err := a.repConfig(ctx, brandID)
	if err != nil {
		return nil, err
	}
	return repLadder(cfg.Ranks), nil
}

// name is the rank's name for a reputation total.
func (l repLadder) name(rep int64) string { return reputation.RankIn(l, rep).Name }

// threads sets each thread's AuthorRank.
func (l repLadder) threads(ts []forum.Thread) {
	for i := range ts {
		ts[i].AuthorRank = l.name(ts[i].AuthorReputation)
	}
}

// repRankThreads puts the brand's ranks on threads for a page.
func (a *App) repRankThreads(ctx context.Context, brandID int64, ts []forum.Thread) error {
	rk, err := a.repRanks(ctx, brandID)
	if err != nil {
		return err
	}
	rk.threads(ts)
	return nil
}

// repRankResults puts the brand's ranks on search results' threads.
func (a *App) repRankResults(ctx context.Context, brandID int64, rs []forum.SearchResult) error {
	rk, err := a.repRanks(ctx, brandID)
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Thread.AuthorRank = rk.name(rs[i].Thread.AuthorReputation)
	}
	return nil
}

// repRankName is the brand's rank name for a total (the default ladder's if
// the configuration cannot be read; the error is logged).
func (a *App) repRankName(ctx context.Context, brandID, rep int64) string {
	cfg, err := a.repConfig(ctx, brandID)
	if err != nil {
		a.log.Error("reputation config", "brand", brandID, "err", err)
		return reputation.RankFor(rep).Name
	}
	return cfg.Rank(rep).Name
}

// repThreadInfo is what the thread page's reputation slots show.
type repThreadInfo struct {
	Sort           string // "" (oldest first) or "kudos"
	NextKudos      string // cursor of the next page when sorted by kudos
	ViewerRep      int64
	CanEditOthers  bool
	EditOthersAt   string // "1,000"
	KudosBlocked   string // why the viewer cannot give kudos now, or ""
	SignedInViewer bool
	PostingHint    string // what new members may post, beside the reply box (postingHint)
}

// repThreadPage loads the thread page in the order asked for (?sort=kudos
// sorts replies by kudos after the accepted answer, paged with ?kafter=),
// puts each author's rank on the posts, and says what the viewer may do.
func (a *App) repThreadPage(c *gin.Context, id int64, cur forum.Cursor) (forum.ThreadPage, repThreadInfo, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	var info repThreadInfo
	var pg forum.ThreadPage
	var err error
	switch c.Query("sort") {
	case "kudos":
		kc, perr := forum.ParseKudosCursor(c.Query("kafter"))
		if perr != nil {
			return forum.ThreadPage{}, info, perr
		}
		var next forum.KudosCursor
		pg, next, err = a.forum.PageByKudos(ctx, actor.BrandID, id, actor.UserID, kc)
		info.Sort, info.NextKudos = "kudos", next.String()
	case "", "oldest":
		// PageAs: authors see their own posts awaiting review, moderators
		// see hidden ones, marked.
		pg, err = a.forum.PageAs(ctx, actor, id, cur)
	default:
		return forum.ThreadPage{}, info, &fault.ValidationError{Fields: map[string]string{"sort": "sort must be oldest or kudos"}}
	}
	if err != nil {
		return forum.ThreadPage{}, info, err
	}
	cfg, err := a.repConfig(ctx, actor.BrandID)
	if err != nil {
		return forum.ThreadPage{}, info, err
	}
	pg.Question.AuthorRank = cfg.Rank(pg.Question.AuthorReputation).Name
	if pg.Accepted != nil {
		pg.Accepted.AuthorRank = cfg.Rank(pg.Accepted.AuthorReputation).Name
	}
	for i := range pg.Replies {
		pg.Replies[i].AuthorRank = cfg.Rank(pg.Replies[i].AuthorReputation).Name
	}
	info.EditOthersAt = forum.Thousands(cfg.Privileges.EditOthers)
	if actor.SignedIn() {
		info.SignedInViewer = true
		u, err := a.members.ByID(ctx, actor.BrandID, actor.UserID)
		if err != nil {
			return forum.ThreadPage{}, info, err
		}
		info.ViewerRep = u.Reputation
		info.CanEditOthers = actor.CanModerate() || u.Reputation >= cfg.Privileges.EditOthers
		if !actor.IsStaff() {
			info.PostingHint = postingHint(u.Reputation, cfg.Privileges)
		}
		if info.KudosBlocked, err = a.forum.KudosBlocked(ctx, actor); err != nil {
			return forum.ThreadPage{}, info, err
		}
	}
	return pg, info, nil
}

// repLeaderRow is one line of a leaderboard or a board's top helpers, with
// the member's rank.
type repLeaderRow struct {
	reputation.Leader
	Rank string
}

// leaders pairs each leader with their rank.
func (l repLadder) leaders(ls []reputation.Leader) []repLeaderRow {
	rows := make([]repLeaderRow, 0, len(ls))
	for _, x := range ls {
		rows = append(rows, repLeaderRow{x, l.name(x.Reputation)})
	}
	return rows
}

// repTopHelpers lists a board's top helpers this month for its page; a
// failure is logged and the page shows none rather than failing.
func (a *App) repTopHelpers(ctx context.Context, bd forum.Board) []repLeaderRow {
	l, err := reputation.TopHelpers(ctx, a.db, bd.BrandID, bd.ID, reputation.Month, a.cfg.Now(), 5)
	if err != nil {
		a.log.Error("top helpers", "board", bd.ID, "err", err)
		return nil
	}
	rk, err := a.repRanks(ctx, bd.BrandID)
	if err != nil {
		a.log.Error("top helpers", "board", bd.ID, "err", err)
		return nil
	}
	return rk.leaders(l)
}

// repPrivilege is one privilege and whether the member holds it.
type repPrivilege struct {
	Name string
	At   string // "1,000"
	Has  bool
}

// repProfileView is the reputation part of a profile page.
type repProfileView struct {
	Username   string
	Reputation int64
	Rank       string
	NextRank   string
	ToNext     string
	Ledger     []reputation.Entry
	More       string // cursor of the ledger's next page
	Privileges []repPrivilege
}

func (a *App) repProfile(ctx context.Context, brandID int64, u forum.User) (repProfileView, error) {
	cfg, err := a.repConfig(ctx, brandID)
	if err != nil {
		return repProfileView{}, err
	}
	v := repProfileView{Username: u.Username, Reputation: u.Reputation, Rank: cfg.Rank(u.Reputation).Name}
	if next, ok := cfg.NextRank(u.Reputation); ok {
		v.NextRank, v.ToNext = next.Name, forum.Thousands(next.Min-u.Reputation)
	}
	p := cfg.Privileges
	// Everyone may post a few links and images (forum.NewMemberLinks,
	// NewMemberImages); reputation lifts the limit.
	for _, x := range []struct {
		name string
		at   int64
	}{
		{"Post more than " + themes.Plural(forum.NewMemberLinks, "link"), p.Links},
		{"Post more than " + themes.Plural(forum.NewMemberImages, "image"), p.Images},
		{"See and handle flags (trusted)", p.Trusted},
		{"Edit others' posts", p.EditOthers},
	} {
		v.Privileges = append(v.Privileges, repPrivilege{Name: x.name, At: forum.Thousands(x.at), Has: u.Reputation >= x.at})
	}
	entries, next, err := reputation.Ledger(ctx, a.db, brandID, u.ID, reputation.Cursor{}, 10)
	if err != nil {
		return repProfileView{}, err
	}
	v.Ledger, v.More = entries, next.String()
	return v, nil
}

// repLedgerPage is a member's whole ledger, page by page.
func (a *App) repLedgerPage(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	u, err := a.members.ByUsername(ctx, b.ID, c.Param("username"))
	if err != nil {
		a.site.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: "There is no member with that name here."})
		return
	}
	cur, err := reputation.ParseCursor(c.Query("after"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	entries, next, err := reputation.Ledger(ctx, a.db, b.ID, u.ID, cur, 50)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "reputation_ledger", u.Username+"'s reputation", struct {
		User    forum.User
		Rank    string
		Entries []reputation.Entry
		Next    string
		First   bool
	}{u, a.repRankName(ctx, b.ID, u.Reputation), entries, next.String(), cur.ID == 0})
}

// repLeaderboardPage shows the brand's top members by week, month or all time.
func (a *App) repLeaderboardPage(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	p, err := reputation.ParsePeriod(c.Query("period"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	now := a.cfg.Now()
	leaders, err := reputation.Leaderboard(ctx, a.db, b.ID, p, now, 50)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rk, err := a.repRanks(ctx, b.ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "reputation_leaderboard", "Leaderboard", struct {
		Period reputation.Period
		Since  time.Time
		Rows   []repLeaderRow
	}{p, p.Since(now), rk.leaders(leaders)})
}

// repSettingsView is the admin form for a brand's reputation settings.
type repSettingsView struct {
	Config reputation.Config
	Ranks  string
	Values map[string]string // what was typed, on a failed save
	Errors map[string]string
	Saved  bool
}

// repSettingFields are the form's number fields: name, label, and where the
// value lives.
func repSettingFields(c *reputation.Config) []struct {
	Name, Label, Help string
	Ptr               *int64
} {
	r, p := &c.Rules, &c.Privileges
	return []struct {
		Name, Label, Help string
		Ptr               *int64
	}{
		{"kudos_points", "Kudos received", "points", &r.KudosPoints},
		{"accepted_points", "Answer accepted", "points", &r.AcceptedPoints},
		{"accepting_points", "Accepting an answer", "points, to the asker", &r.AcceptingPoints},
		{"rescue_points", "Peer rescue", "points for answering an escalated question before an agent claims it", &r.RescuePoints},
		{"daily_cap", "Daily cap on reputation from kudos", "points per member per UTC day", &r.DailyCap},
		{"kudos_per_day", "Kudos a member may give per day", "", &r.KudosPerDay},
		{"giver_min_age_minutes", "Account age before giving kudos", "minutes", &r.GiverMinAgeMinutes},
		{"giver_min_posts", "Posts before giving kudos", "visible questions or replies", &r.GiverMinPosts},
		{"serial_window_minutes", "Serial kudos window", "minutes", &r.SerialWindowMinutes},
		{"serial_threshold", "Serial kudos threshold", "kudos from one member to another within the window", &r.SerialThreshold},
		{"ring_window_days", "Kudos ring window", "days", &r.RingWindowDays},
		{"ring_min_kudos", "Ring: kudos exchanged", "at least", &r.RingMinKudos},
		{"ring_share_pct", "Ring: share of their kudos", "percent, at least", &r.RingSharePct},
		{"ring_max_size", "Ring: accounts", "at most", &r.RingMaxSize},
		{"rep_links", "Reputation to post links", "below it, " + themes.Plural(forum.NewMemberLinks, "link") + " a post at most", &p.Links},
		{"rep_images", "Reputation to post images", "below it, " + themes.Plural(forum.NewMemberImages, "image") + " a post at most", &p.Images},
		{"rep_trusted", "Reputation for the trusted role", "see and handle flags", &p.Trusted},
		{"rep_edit_others", "Reputation to edit others' posts", "", &p.EditOthers},
	}
}

func (a *App) repSettingsForm(c *gin.Context) {
	cfg, err := reputation.LoadConfig(c.Request.Context(), a.db, web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.repRenderSettings(c, http.StatusOK, repSettingsView{Config: cfg, Ranks: reputation.FormatRanks(cfg.Ranks), Saved: c.Query("saved") == "1"})
}

func (a *App) repRenderSettings(c *gin.Context, code int, v repSettingsView) {
	type field struct {
		Name, Label, Help, Value, Error string
	}
	var fields []field
	for _, f := range repSettingFields(&v.Config) {
		val := strconv.FormatInt(*f.Ptr, 10)
		if typed, ok := v.Values[f.Name]; ok {
			val = typed
		}
		fields = append(fields, field{f.Name, f.Label, f.Help, val, v.Errors[f.Name]})
	}
	a.site.Render(c, code, "reputation_settings", "Reputation settings", struct {
		Fields     []field
		Ranks      string
		RanksError string
		Errors     map[string]string
		Saved      bool
	}{fields, v.Ranks, v.Errors["ranks"], v.Errors, v.Saved})
}

func (a *App) repSettingsSave(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	v := repSettingsView{Values: map[string]string{}, Errors: map[string]string{}, Ranks: c.PostForm("ranks")}
	for _, f := range repSettingFields(&v.Config) {
		raw := strings.TrimSpace(c.PostForm(f.Name))
		v.Values[f.Name] = raw
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			v.Errors[f.Name] = f.Label + " must be a whole number."
			continue
		}
		*f.Ptr = n
	}
	ranks, err := reputation.ParseRanks(v.Ranks)
	var fe *fault.ValidationError
	if errors.As(err, &fe) {
		for k, m := range fe.Fields {
			v.Errors[k] = m
		}
	}
	v.Config.Ranks = ranks
	if err := v.Config.Validate(); errors.As(err, &fe) {
		for k, m := range fe.Fields {
			if _, ok := v.Errors[k]; !ok {
				v.Errors[k] = m
			}
		}
	}
	if len(v.Errors) == 0 {
		err = a.db.InTx(ctx, func(tx *sqldb.Tx) error {
			return reputation.SaveConfig(ctx, tx, b.ID, web.ActorOf(c).UserID, v.Config, a.cfg.Now())
		})
		if errors.As(err, &fe) {
			for k, m := range fe.Fields {
				v.Errors[k] = m
			}
		} else if err != nil {
			a.site.Fail(c, err)
			return
		}
	}
	if len(v.Errors) > 0 {
		a.repRenderSettings(c, http.StatusUnprocessableEntity, v)
		return
	}
	a.repForget(b.ID)
	a.onChange(forum.Change{BrandID: b.ID, Lists: true}) // cached pages show ranks
	c.Redirect(http.StatusSeeOther, "/admin/reputation?saved=1")
}

// repExportRange reads ?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive).
func repExportRange(c *gin.Context) (time.Time, time.Time, error) {
	from, err := reputation.ParseDate("from", c.Query("from"))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := reputation.ParseDate("to", c.Query("to"))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if to.Before(from) {
		return time.Time{}, time.Time{}, &fault.ValidationError{Fields: map[string]string{"to": "The end date must not be before the start date."}}
	}
	return from, to.Add(24 * time.Hour), nil
}

// repExportPage is the admin's payback export: a form, and with from and to
// the CSV download.
func (a *App) repExportPage(c *gin.Context) {
	if c.Query("from") == "" && c.Query("to") == "" {
		now := a.cfg.Now().UTC()
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		a.site.Render(c, http.StatusOK, "reputation_export", "Payback export", struct {
			From, To string
			Errors   map[string]string
		}{first.AddDate(0, -1, 0).Format("2006-01-02"), first.AddDate(0, 0, -1).Format("2006-01-02"), nil})
		return
	}
	from, to, err := repExportRange(c)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		a.site.Render(c, http.StatusUnprocessableEntity, "reputation_export", "Payback export", struct {
			From, To string
			Errors   map[string]string
		}{c.Query("from"), c.Query("to"), ve.Fields})
		return
	}
	a.repWriteExport(c, from, to, err)
}

func (a *App) repWriteExport(c *gin.Context, from, to time.Time, err error) {
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	b := web.BrandOf(c)
	rows, err := reputation.Export(c.Request.Context(), a.db, b.ID, from, to)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	name := fmt.Sprintf("reputation-%s-%s-to-%s.csv", strings.ReplaceAll(b.Host, ":", "_"), from.Format("2006-01-02"), to.Add(-time.Hour).Format("2006-01-02"))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := reputation.WriteCSV(c.Writer, rows); err != nil {
		a.log.Error("reputation export", "request_id", web.RequestID(c), "err", err)
	}
}

// repRingsPage lists kudos rings for moderators.
func (a *App) repRingsPage(c *gin.Context) {
	status := c.DefaultQuery("status", reputation.RingOpen)
	if status == "all" {
		status = ""
	}
	rings, err := reputation.Rings(c.Request.Context(), a.db, web.BrandOf(c).ID, status, 100)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if status == "" {
		status = "all"
	}
	a.site.Render(c, http.StatusOK, "reputation_rings", "Kudos rings", struct {
		Status string
		Rings  []reputation.Ring
		Found  string
	}{status, rings, c.Query("found")})
}

func (a *App) repRingReview(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	err = reputation.ReviewRing(c.Request.Context(), a.db, web.BrandOf(c).ID, id, web.ActorOf(c).UserID, c.PostForm("status"), c.PostForm("note"), a.cfg.Now())
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/mod/reputation/rings")
}

func (a *App) repRingScan(c *gin.Context) {
	n, err := reputation.DetectRings(c.Request.Context(), a.db, web.BrandOf(c).ID, a.cfg.Now())
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/mod/reputation/rings?found="+strconv.Itoa(n))
}

// repRunRings looks for kudos rings in every brand, at most once an hour
// across all instances (claimed through the jobs table).
func (a *App) repRunRings(ctx context.Context) error {
	const name = "reputation-rings"
	ok, err := a.jobs.Claim(ctx, name)
	if err != nil || !ok {
		return err
	}
	brands, err := a.brands.All(ctx)
	var runErr error
	if err != nil {
		runErr = err
	}
	for _, b := range brands {
		if n, err := reputation.DetectRings(ctx, a.db, b.ID, a.cfg.Now()); err != nil {
			runErr = err
			break
		} else if n > 0 {
			a.log.Info("kudos rings", "brand", b.ID, "count", n)
		}
	}
	return errors.Join(runErr, a.jobs.Finish(ctx, name, a.cfg.Now().Add(time.Hour), runErr))
}
