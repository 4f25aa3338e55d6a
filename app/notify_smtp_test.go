package app_test

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"mutual/app"
)

// notifySMTP is a real SMTP server on loopback (go-smtp), so the sender is
// tested against the protocol rather than a mock. failNext makes the next
// deliveries fail with the given SMTP code.
type notifySMTP struct {
	addr string
	mu   sync.Mutex
	msgs []notifyMsg
	fail []int
}

type notifyMsg struct {
	From string
	To   []string
	Msg  *mail.Message
	Body string
}

func newNotifySMTP(t *testing.T) *notifySMTP {
	t.Helper()
	s := &notifySMTP{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// withSMTP points a site's mail at the server.
func (s *notifySMTP) withSMTP(c *app.Config) {
	host, port, _ := net.SplitHostPort(s.addr)
	c.Notify.SMTPHost = host
	c.Notify.SMTPPort = atoiT(port)
	c.Notify.SMTPTLS = "none"
	c.Notify.MailFrom = "Mutual Mobile <community@mutual.test>"
	c.Notify.SiteURL = "http://{host}"
}

func atoiT(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func (s *notifySMTP) failNext(codes ...int) {
	s.mu.Lock()
	s.fail = append(s.fail, codes...)
	s.mu.Unlock()
}

func (s *notifySMTP) received() []notifyMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifyMsg(nil), s.msgs...)
}

func (s *notifySMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &notifySession{srv: s}, nil }

type notifySession struct {
	srv  *notifySMTP
	from string
	to   []string
}

func (ss *notifySession) Reset()        { ss.from, ss.to = "", nil }
func (ss *notifySession) Logout() error { return nil }
func (ss *notifySession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *notifySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *notifySession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fail) > 0 {
		code := s.fail[0]
		s.fail = s.fail[1:]
		return &smtp.SMTPError{Code: code, Message: "refused by the test server"}
	}
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(m.Body)
	s.msgs = append(s.msgs, notifyMsg{From: ss.from, To: ss.to, Msg: m, Body: decodeQP(string(body), m.Header.Get("Content-Transfer-Encoding"))})
	return nil
}

func decodeQP(body, enc string) string {
	switch strings.ToLower(enc) {
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err == nil {
			return string(out)
		}
	case "base64":
		out, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(body, "\r", ""), "\n", ""))
		if err == nil {
			return string(out)
		}
	}
	return body
}
