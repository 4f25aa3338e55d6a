package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// Signer makes and checks the signed links in mail: one-click unsubscribe
// and email verification. A link carries who and what it is for; the HMAC
// proves the server made it, so no table of issued links is needed and every
// instance sharing the database accepts it.
type Signer struct{ key []byte }

// Purposes of signed links.
const (
	PurposeUnsubscribe = "unsub"
	PurposeVerify      = "verify"
)

// LoadSigner reads the signing key from the settings table, creating it on
// first use (the first of several instances starting together wins).
func LoadSigner(ctx context.Context, db *sqldb.DB) (*Signer, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	v, err := forum.EnsureSetting(ctx, db, "notify_link_key", hex.EncodeToString(b))
	if err != nil {
		return nil, fmt.Errorf("notify: link key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("notify: link key in settings is malformed")
	}
	return &Signer{key: key}, nil
}

// Claims are what a signed link says.
type Claims struct {
	Purpose string
	BrandID int64
	UserID  int64
	Email   string    // verification: the address being confirmed
	Expires time.Time // zero: never (unsubscribe links must keep working)
}

// Sign returns a URL-safe token for the claims.
func (s *Signer) Sign(c Claims) string {
	var exp int64
	if !c.Expires.IsZero() {
		exp = c.Expires.Unix()
	}
	payload := strings.Join([]string{c.Purpose, strconv.FormatInt(c.BrandID, 10), strconv.FormatInt(c.UserID, 10),
		strconv.FormatInt(exp, 10), c.Email}, "|")
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:20]
}

var errBadLink = &fault.Error{Kind: fault.ErrNotFound, ID: "nfx.bad_link", Msg: i18n.T(context.Background(), "nfx.bad_link")}

// Check verifies a token for purpose in brand at time now.
func (s *Signer) Check(token, purpose string, brandID int64, now time.Time) (Claims, error) {
	p64, m64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 600 {
		return Claims{}, errBadLink
	}
	raw, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac(string(raw))) {
		return Claims{}, errBadLink
	}
	f := strings.SplitN(string(raw), "|", 5)
	if len(f) != 5 || f[0] != purpose {
		return Claims{}, errBadLink
	}
	c := Claims{Purpose: f[0], Email: f[4]}
	var err error
	var exp int64
	if c.BrandID, err = strconv.ParseInt(f[1], 10, 64); err != nil || c.BrandID != brandID {
		return Claims{}, errBadLink
	}
	if c.UserID, err = strconv.ParseInt(f[2], 10, 64); err != nil {
		return Claims{}, errBadLink
	}
	if exp, err = strconv.ParseInt(f[3], 10, 64); err != nil {
		return Claims{}, errBadLink
	}
	if exp != 0 {
		c.Expires = time.Unix(exp, 0).UTC()
		if now.After(c.Expires) {
			return Claims{}, &fault.Error{Kind: fault.ErrConflict, ID: "nfx.link_expired", Msg: i18n.T(context.Background(), "nfx.link_expired")}
		}
	}
	return c, nil
}
