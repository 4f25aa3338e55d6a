package moderation

import (
	"context"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// RoleAssignment is a role a member holds in a brand.
type RoleAssignment struct {
	UserID   int64
	Username string
	Role     string
	Since    time.Time
}

// SetRole grants (grant true) or revokes a role in the actor's brand and
// audits it. The actor may be the system (UserID 0: the command line). Roles
// are read from the database on every request, so a revoked role stops
// working on the very next one, on every instance.
// grantable are the roles SetRole gives and takes: all but member, which
// everyone is.
func grantable() []string {
	var out []string
	for _, r := range account.Roles {
		if r != "member" {
			out = append(out, r)
		}
	}
	return out
}

func (s *Service) SetRole(ctx context.Context, a account.Actor, username, role string, grant bool, reason string) error {
	role = strings.TrimSpace(role)
	valid := false
	for _, r := range account.Roles {
		valid = valid || (r == role && r != "member")
	}
	if !valid {
		return &fault.ValidationError{Fields: map[string]string{"role": i18n.T(ctx, "modmsg.role_one_of", "Roles", strings.Join(grantable(), ", "))}}
	}
	if err := checkReason(ctx, strings.TrimSpace(reason), false); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqldb.Tx) error {
		st, err := s.standing(ctx, tx, a.BrandID, username, false)
		if err != nil {
			return err
		}
		if !grant && st.UserID == a.UserID && role == "admin" {
			return denied(i18n.T(ctx, "modmsg.own_admin"))
		}
		if grant && mixesIntegration(st.Roles, role) {
			return conflict(i18n.T(ctx, "modmsg.integration_alone"))
		}
		var changed bool
		name := ActRoleGranted
		if grant {
			changed, err = account.GrantRole(ctx, tx, a.BrandID, st.UserID, role, s.now())
		} else {
			changed, err = account.RevokeRole(ctx, tx, a.BrandID, st.UserID, role)
			name = ActRoleRevoked
		}
		if err != nil {
			return err
		}
		if !changed {
			if grant {
				return conflict(st.Username + " already holds the role " + role + ".")
			}
			return conflict(st.Username + " does not hold the role " + role + ".")
		}
		type roles struct {
			Roles []string `json:"roles"`
		}
		after := []string{}
		for _, r := range st.Roles {
			if r != role {
				after = append(after, r)
			}
		}
		if grant {
			after = append(after, role)
		}
		return s.record(ctx, tx, a, entry{act: name, targetType: "user", targetID: st.UserID, targetUser: st.UserID,
			reason: strings.TrimSpace(role + " " + reason), before: roles{st.Roles}, after: roles{after}})
	})
}

// mixesIntegration reports whether granting role to a member holding held
// would put the integration role beside another: an integration account
// holds nothing else, so the grant would silently take the rest away.
func mixesIntegration(held []string, role string) bool {
	for _, r := range held {
		if r != role && r != "member" && (r == account.Integration || role == account.Integration) {
			return true
		}
	}
	return false
}

// RoleHolders lists who holds which role in a brand (members are implicit).
func (s *Service) RoleHolders(ctx context.Context, brandID int64) ([]RoleAssignment, error) {
	rows, err := s.db.Query(ctx, `SELECT r.user_id, u.username, r.role, r.created_at FROM role_assignments r JOIN users u ON u.id = r.user_id
WHERE r.brand_id = ? ORDER BY r.role, u.username_key LIMIT 1000`, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RoleAssignment
	for rows.Next() {
		var r RoleAssignment
		var at int64
		if err := rows.Scan(&r.UserID, &r.Username, &r.Role, &at); err != nil {
			return nil, err
		}
		r.Since = sqldb.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
