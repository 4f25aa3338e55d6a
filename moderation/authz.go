// Package moderation owns who may do what: roles and the casbin policy, and
// (as the product grows) flags, the review queue, the audit log, escalation
// and deflection reports.
package moderation

import (
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/casbin/casbin/v2/util"

	"mutual/account"
	"mutual/sqldb"
)

//go:embed policy.conf
var modelText string

//go:embed policy.csv
var defaultPolicy string

// Authorizer answers "may this actor do act on obj in their brand?" from the
// casbin policy stored in the database. Anything not allowed is denied.
type Authorizer struct {
	enf *casbin.SyncedEnforcer
	// decisions memoises Enforce: the policy changes rarely and every request
	// asks, so answers are kept until the policy is reloaded or changed.
	decisions sync.Map // role|dom|obj|act -> bool

	// OnChange, when set, hears that this instance changed the policy, so
	// other instances can reload theirs (app/notify.go on PostgreSQL).
	OnChange func()
}

// NewAuthorizer loads the policy from the database, seeding it from the
// embedded default when the table is empty.
func NewAuthorizer(ctx context.Context, db *sqldb.DB) (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("moderation: policy model: %w", err)
	}
	ad := &adapter{db: db, ctx: ctx}
	if err := ad.seed(ctx); err != nil {
		return nil, err
	}
	enf, err := casbin.NewSyncedEnforcer(m, ad)
	if err != nil {
		return nil, fmt.Errorf("moderation: enforcer: %w", err)
	}
	// Role inheritance rows live in domain "*" and hold in every brand.
	enf.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	if err := enf.LoadPolicy(); err != nil {
		return nil, fmt.Errorf("moderation: load policy: %w", err)
	}
	return &Authorizer{enf: enf}, nil
}

// Reload re-reads the policy, for when another instance or an admin changed it.
func (a *Authorizer) Reload() error {
	defer a.decisions.Clear()
	return a.enf.LoadPolicy()
}

// Can reports whether any of the actor's roles in their brand allows act on
// obj. Each role carries what it inherits, brand denials included, so a brand
// that denies "anonymous" something denies it to every role built on it.
func (a *Authorizer) Can(actor account.Actor, obj, act string) bool {
	dom := Domain(actor.BrandID)
	roles := actor.Roles
	if !actor.SignedIn() {
		roles = []string{"anonymous"}
	}
	for _, r := range roles {
		if a.allows(r, dom, obj, act) {
			return true
		}
	}
	return false
}

func (a *Authorizer) allows(role, dom, obj, act string) bool {
	key := role + "|" + dom + "|" + obj + "|" + act
	if v, ok := a.decisions.Load(key); ok {
		return v.(bool)
	}
	ok, err := a.enf.Enforce(role, dom, obj, act)
	if err != nil {
		return false // default deny, and not remembered
	}
	a.decisions.Store(key, ok)
	return ok
}

// AddBrandRule adds a policy row for one brand (eft "allow" or "deny").
func (a *Authorizer) AddBrandRule(brandID int64, role, obj, act, eft string) error {
	defer a.decisions.Clear()
	_, err := a.enf.AddPolicy(role, Domain(brandID), obj, act, eft)
	if err == nil && a.OnChange != nil {
		a.OnChange()
	}
	return err
}

// Domain is the casbin domain of a brand.
func Domain(brandID int64) string { return "brand:" + strconv.FormatInt(brandID, 10) }

// adapter stores casbin rules in the casbin_rule table.
type adapter struct {
	db  *sqldb.DB
	ctx context.Context
}

// seed merges the embedded default policy into the table by union: rules
// added by a new release appear, and rules a brand added stay. (Default rows
// live in domain "*"; brands tune theirs with their own rows, denials win.)
func (ad *adapter) seed(ctx context.Context) error {
	r := csv.NewReader(strings.NewReader(defaultPolicy))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("moderation: default policy: %w", err)
	}
	return ad.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, rec := range recs {
			if err := insertRule(ctx, tx, rec[0], rec[1:]); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertRule(ctx context.Context, q sqldb.Querier, ptype string, rule []string) error {
	v := make([]any, 6)
	for i := range v {
		v[i] = ""
		if i < len(rule) {
			v[i] = rule[i]
		}
	}
	_, err := q.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`, append([]any{ptype}, v...)...)
	if err != nil {
		return fmt.Errorf("moderation: add rule: %w", err)
	}
	return nil
}

func (ad *adapter) LoadPolicy(m model.Model) error {
	rows, err := ad.db.Query(ad.ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
	if err != nil {
		return fmt.Errorf("moderation: load policy: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f [7]string
		if err := rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]); err != nil {
			return err
		}
		rule := f[:]
		for len(rule) > 1 && rule[len(rule)-1] == "" {
			rule = rule[:len(rule)-1]
		}
		if err := persist.LoadPolicyArray(rule, m); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (ad *adapter) SavePolicy(model.Model) error {
	return fmt.Errorf("moderation: saving the whole policy is not supported; add or remove rules")
}

func (ad *adapter) AddPolicy(_ string, ptype string, rule []string) error {
	return insertRule(ad.ctx, ad.db, ptype, rule)
}

func (ad *adapter) RemovePolicy(_ string, ptype string, rule []string) error {
	v := make([]any, 6)
	for i := range v {
		v[i] = ""
		if i < len(rule) {
			v[i] = rule[i]
		}
	}
	_, err := ad.db.Exec(ad.ctx, `DELETE FROM casbin_rule WHERE ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ?`,
		append([]any{ptype}, v...)...)
	return err
}

func (ad *adapter) RemoveFilteredPolicy(_ string, ptype string, fieldIndex int, fieldValues ...string) error {
	q := `DELETE FROM casbin_rule WHERE ptype = ?`
	args := []any{ptype}
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		q += fmt.Sprintf(" AND v%d = ?", fieldIndex+i)
		args = append(args, v)
	}
	_, err := ad.db.Exec(ad.ctx, q, args...)
	return err
}
