// Package account owns members: their accounts and passwords (argon2id),
// browser sessions, API tokens, and each member's standing in a brand (roles,
// suspension, ban, a verified address). It gives every other package the
// Actor: who is acting in a request. It sits below forum (which imports it)
// and knows nothing of HTTP or of content.
package account

import "time"

// User is a member (or staff) account within one brand.
type User struct {
	ID          int64
	BrandID     int64
	Username    string
	Email       string
	Bio         string
	Reputation  int64
	HasPassword bool
	CreatedAt   time.Time
	Language    string // the member's chosen language, "" for "as the browser says"
}

// Staff roles: their posts are not peer answers and earn no reputation.
var staffRoles = map[string]bool{"agent": true, "moderator": true, "admin": true}

// Actor is who is acting: a signed-in user with their roles in the request's
// brand, or an anonymous visitor (ID 0).
type Actor struct {
	UserID   int64
	BrandID  int64
	Username string
	Roles    []string
	Language string // the member's chosen language, or ""
}

// Anonymous is a visitor who has not signed in.
func Anonymous(brandID int64) Actor { return Actor{BrandID: brandID} }

// SignedIn reports whether the actor is a member.
func (a Actor) SignedIn() bool { return a.UserID != 0 }

// Has reports whether the actor holds role in their brand.
func (a Actor) Has(role string) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// CanModerate reports whether the actor may act on others' content.
func (a Actor) CanModerate() bool { return a.Has("moderator") || a.Has("admin") }

// IsStaff reports whether the actor works for the provider or the brand.
func (a Actor) IsStaff() bool {
	for _, r := range a.Roles {
		if staffRoles[r] {
			return true
		}
	}
	return false
}
