package escalation

import (
	"context"
	"slices"
	"strings"
	"time"

	"mutual/forum/lang"
	"mutual/i18n"
	"mutual/sqldb"
)

// Agent is a person who answers escalations for a brand.
type Agent struct {
	ID        int64
	BrandID   int64
	UserID    int64
	Username  string
	Person    string
	Boards    []int64 // empty: every board
	Languages []string
	OnShift   bool
	Load      int // open escalations assigned to or claimed by this person, in every brand they serve
}

// NewAgent describes an agent to add or update.
type NewAgent struct {
	BrandID   int64
	UserID    int64
	Person    string // ties one person's accounts in several brands together (their e-mail)
	Boards    []int64
	Languages []string
	OnShift   bool
}

// AddAgent makes (or updates) an agent of a brand; the caller grants the
// agent role. Boards must belong to the brand.
func (s *Service) AddAgent(ctx context.Context, na NewAgent) (Agent, error) {
	for _, b := range na.Boards {
		var n int
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM boards WHERE id = ? AND brand_id = ?`, b, na.BrandID).Scan(&n); err != nil {
			return Agent{}, wrap("check board", err)
		}
		if n == 0 {
			return Agent{}, invalid("boards", i18n.T(ctx, "escmsg.not_board", "ID", b))
		}
	}
	langs := strings.ToLower(strings.Join(na.Languages, ","))
	shift := 0
	if na.OnShift {
		shift = 1
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO agents (brand_id, user_id, person, boards, languages, on_shift, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id, user_id) DO UPDATE SET person = excluded.person,
boards = excluded.boards, languages = excluded.languages, on_shift = excluded.on_shift`,
			na.BrandID, na.UserID, strings.ToLower(na.Person), sqldb.JoinIDs(na.Boards), langs, shift, sqldb.Millis(s.now()))
		return err
	})
	if err != nil {
		return Agent{}, wrap("add agent", err)
	}
	return s.Agent(ctx, na.BrandID, na.UserID)
}

// Agent returns a brand's agent by user id.
func (s *Service) Agent(ctx context.Context, brandID, userID int64) (Agent, error) {
	list, err := agents(ctx, s.db, brandID, userID, false)
	if err != nil {
		return Agent{}, err
	}
	if len(list) == 0 {
		return Agent{}, notFound(i18n.T(ctx, "escmsg.not_agent"))
	}
	return list[0], nil
}

// Agents lists a brand's agents with their load.
func (s *Service) Agents(ctx context.Context, brandID int64) ([]Agent, error) {
	return agents(ctx, s.db, brandID, 0, false)
}

// agents reads agents (one user, or all; only those on shift) with load.
func agents(ctx context.Context, q sqldb.Querier, brandID, userID int64, onShift bool) ([]Agent, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.brand_id, a.user_id, u.username, a.person, a.boards, a.languages, a.on_shift,
(SELECT COUNT(*) FROM agents a2 JOIN escalations e ON e.assigned_to = a2.user_id AND e.status IN ('assigned', 'claimed')
 WHERE a2.person = a.person)
FROM agents a JOIN users u ON u.id = a.user_id
WHERE a.brand_id = ? AND (? = 0 OR a.user_id = ?) AND (? = 0 OR a.on_shift = 1) ORDER BY u.username`,
		brandID, userID, userID, boolInt(onShift))
	if err != nil {
		return nil, wrap("list agents", err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		var a Agent
		var boards, langs string
		var shift int
		if err := rows.Scan(&a.ID, &a.BrandID, &a.UserID, &a.Username, &a.Person, &boards, &langs, &shift, &a.Load); err != nil {
			return nil, err
		}
		a.Boards, a.OnShift = sqldb.SplitIDs(boards), shift == 1
		a.Languages = terms(langs)
		out = append(out, a)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SetShift puts an agent on or off shift. Going off shift returns the
// escalations routed to them but not yet claimed to the queue, re-routed.
func (s *Service) SetShift(ctx context.Context, brandID, userID int64, on bool) error {
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE agents SET on_shift = ? WHERE brand_id = ? AND user_id = ?`, boolInt(on), brandID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(i18n.T(ctx, "escmsg.you_not_agent"))
		}
		st, err := s.Settings(ctx, tx, brandID)
		if err != nil {
			return err
		}
		if on {
			return routeQueue(ctx, tx, st, now)
		}
		ids, err := idList(ctx, tx, `SELECT id FROM escalations WHERE brand_id = ? AND assigned_to = ? AND status = 'assigned'`, brandID, userID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			x, err := get(ctx, tx, brandID, id)
			if err != nil {
				return err
			}
			if err := unassign(ctx, tx, st, x, EvReleased, userID, coded(NoteOffShift), now); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("set shift", err)
}

func idList(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]int64, error) {
	return sqldb.Int64s(q.Query(ctx, query, args...))
}

// router picks agents for escalations within one transaction, keeping the
// loads it has handed out so a batch spreads evenly.
type router struct {
	st     Settings
	agents []Agent
}

func newRouter(ctx context.Context, tx *sqldb.Tx, st Settings) (*router, error) {
	list, err := agents(ctx, tx, st.BrandID, 0, true)
	if err != nil {
		return nil, err
	}
	return &router{st: st, agents: list}, nil
}

// pick returns the least-loaded agent on shift with the skills for the
// board and the language (the thread's; the brand's when the thread's is not
// known), never one of exclude; 0 when none. An agent with no languages
// listed takes any.
func (r *router) pick(boardID int64, language string, exclude ...int64) int64 {
	if language == "" || language == lang.Undetermined {
		language = r.st.Language
	}
	best := -1
	for i, a := range r.agents {
		if slices.Contains(exclude, a.UserID) {
			continue
		}
		if len(a.Boards) > 0 && !slices.Contains(a.Boards, boardID) {
			continue
		}
		if len(a.Languages) > 0 && !slices.ContainsFunc(a.Languages, func(l string) bool { return sameLanguage(l, language) }) {
			continue
		}
		if best < 0 || a.Load < r.agents[best].Load {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	r.agents[best].Load++
	return r.agents[best].UserID
}

// sameLanguage reports whether two language tags (es, es-MX, es_ES) are one
// language: regional variants read the same threads.
func sameLanguage(a, b string) bool {
	primary := func(tag string) string {
		p, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
		return p
	}
	return strings.EqualFold(primary(a), primary(b))
}

// route assigns x to an agent when one fits; otherwise it stays queued.
func (r *router) route(ctx context.Context, tx *sqldb.Tx, x Escalation, at time.Time, exclude ...int64) error {
	agent := r.pick(x.BoardID, x.Language, exclude...)
	if agent == 0 {
		return nil
	}
	res, err := tx.Exec(ctx, `UPDATE escalations SET status = 'assigned', assigned_to = ?, assigned_at = ?
WHERE id = ? AND status = 'escalated'`, agent, sqldb.Millis(at), x.ID)
	if err != nil {
		return wrap("assign", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	note := coded(NoteRouted)
	if lang.Name(x.Language) != "" {
		note = coded(NoteRouted, "language", x.Language) // the thread's language decided who could take it
	}
	return record(ctx, tx, r.st, x, EvAssigned, agent, note, at)
}

// routeQueue offers the brand's queued escalations, most urgent first, to
// the agents on shift.
func routeQueue(ctx context.Context, tx *sqldb.Tx, st Settings, at time.Time) error {
	r, err := newRouter(ctx, tx, st)
	if err != nil || len(r.agents) == 0 {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT `+escCols+escFrom+`WHERE x.brand_id = ? AND x.status = 'escalated'
ORDER BY x.priority DESC, x.escalated_at, x.id LIMIT 500`, st.BrandID)
	if err != nil {
		return wrap("queue", err)
	}
	var queued []Escalation
	for rows.Next() {
		x, err := scanEscalation(rows)
		if err != nil {
			rows.Close()
			return err
		}
		queued = append(queued, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range queued {
		if err := r.route(ctx, tx, x, at); err != nil {
			return err
		}
	}
	return nil
}

// unassign puts x back in the queue (released or timed out) and routes it
// to someone other than who had it.
func unassign(ctx context.Context, tx *sqldb.Tx, st Settings, x Escalation, state string, actor int64, note Note, at time.Time) error {
	prev := x.AssignedTo
	if x.ClaimedBy != 0 {
		prev = x.ClaimedBy
	}
	if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'escalated', assigned_to = NULL, assigned_at = NULL,
claimed_by = NULL, claimed_at = NULL WHERE id = ?`, x.ID); err != nil {
		return wrap("unassign", err)
	}
	if err := record(ctx, tx, st, x, state, actor, note, at); err != nil {
		return err
	}
	r, err := newRouter(ctx, tx, st)
	if err != nil {
		return err
	}
	return r.route(ctx, tx, x, at, prev)
}
