package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// ErrNoSTARTTLS is matched (with errors.Is) by the error an SMTP notifier
// with RequireTLS returns when the server does not offer STARTTLS.
var ErrNoSTARTTLS = errors.New("server does not offer STARTTLS")

const (
	defaultSMTPTimeout = 30 * time.Second
	defaultLocalName   = "localhost"
)

// SMTPOptions configure an SMTP notifier. Addr and From are required.
type SMTPOptions struct {
	// Addr is the server's "host:port". The connection starts in plain
	// text and is upgraded with STARTTLS when the server offers it.
	Addr string
	// From is the sender: a plain address ("briefcase@example.com"), no
	// display name. Message-IDs use its domain.
	From string
	// Username and Password, when Username is set, authenticate with
	// AUTH PLAIN. net/smtp refuses to send them over an unencrypted
	// connection to anything but localhost.
	Username string
	Password string
	// TLSConfig is used for STARTTLS. The default verifies the server's
	// certificate for Addr's host; a config without ServerName gets it.
	TLSConfig *tls.Config
	// RequireTLS refuses to send, with an error matching ErrNoSTARTTLS,
	// when the server does not offer STARTTLS; without it such a server
	// gets the message in plain text.
	RequireTLS bool
	// Timeout bounds the whole exchange, connecting included; default
	// 30s.
	Timeout time.Duration
	// LocalName is the name sent with EHLO; default "localhost".
	LocalName string
	// Now returns the time for the Date header; default time.Now.
	Now func() time.Time
}

// SMTP is a Notifier that e-mails each notification to its Email address
// with net/smtp, one connection per notification.
//
// The message has a plain-text part (Body) and an HTML part (HTML, or Body
// escaped with its line breaks as <br> when HTML is empty) in a
// multipart/alternative body, both quoted-printable; the subject is
// RFC 2047 encoded when it is not plain ASCII. When the notification has a
// Key, it is sent in an X-Briefcase-Key header. A notification without an
// Email, or with a line break in To, Email, Subject or Key, is refused with
// an *InvalidError before any connection is made. An SMTP is safe for
// concurrent use.
type SMTP struct {
	addr       string
	host       string
	from       string
	fromDomain string
	auth       smtp.Auth
	tls        *tls.Config
	requireTLS bool
	timeout    time.Duration
	localName  string
	now        func() time.Time
}

var _ Notifier = (*SMTP)(nil)

// NewSMTP returns an SMTP notifier for opts, or an *InvalidError naming the
// first invalid option. It does not connect.
func NewSMTP(opts SMTPOptions) (*SMTP, error) {
	invalid := func(field, problem string) error {
		return &InvalidError{Notifier: "smtp", Field: field, Problem: problem}
	}
	if opts.Addr == "" {
		return nil, invalid("Addr", "required")
	}
	host, port, err := net.SplitHostPort(opts.Addr)
	if err != nil || host == "" || port == "" {
		return nil, invalid("Addr", fmt.Sprintf("%q is not host:port", opts.Addr))
	}
	if opts.From == "" {
		return nil, invalid("From", "required")
	}
	from, err := mail.ParseAddress(opts.From)
	if err != nil || from.Name != "" || from.Address != opts.From {
		return nil, invalid("From", fmt.Sprintf("%q is not a plain e-mail address", opts.From))
	}
	if opts.Password != "" && opts.Username == "" {
		return nil, invalid("Password", "set without Username")
	}
	if opts.Timeout < 0 {
		return nil, invalid("Timeout", "must not be negative")
	}
	if strings.ContainsAny(opts.LocalName, " \t\r\n") {
		return nil, invalid("LocalName", "must not contain spaces or line breaks")
	}
	s := &SMTP{
		addr:       opts.Addr,
		host:       host,
		from:       from.Address,
		fromDomain: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		requireTLS: opts.RequireTLS,
		timeout:    opts.Timeout,
		localName:  opts.LocalName,
		now:        opts.Now,
	}
	if opts.Username != "" {
		s.auth = smtp.PlainAuth("", opts.Username, opts.Password, host)
	}
	if opts.TLSConfig != nil {
		s.tls = opts.TLSConfig.Clone()
	} else {
		s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = host
	}
	if s.timeout == 0 {
		s.timeout = defaultSMTPTimeout
	}
	if s.localName == "" {
		s.localName = defaultLocalName
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Notify e-mails n to n.Email. It gives up when ctx is done or the
// Timeout passes, and then returns an error matching ctx's.
func (s *SMTP) Notify(ctx context.Context, n Notification) error {
	to, err := s.recipient(n)
	if err != nil {
		return err
	}
	msg, err := s.message(to, n)
	if err != nil {
		return fmt.Errorf("notify: smtp: compose: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.send(ctx, to.Address, msg); err != nil {
		if cerr := contextError(ctx); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return fmt.Errorf("notify: smtp %s: send to %s: %w", s.addr, to.Address, err)
	}
	return nil
}

// contextError returns ctx's error, or DeadlineExceeded when ctx's deadline
// has passed but ctx has not noticed yet: the connection's deadline, set
// to the same instant, can fire first.
func contextError(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// recipient checks the parts of n that go into headers and returns the
// address to send to.
func (s *SMTP) recipient(n Notification) (*mail.Address, error) {
	invalid := func(field, problem string) error {
		return &InvalidError{Notifier: "smtp", Field: field, Problem: problem}
	}
	if n.Email == "" {
		return nil, invalid("Email", "empty: the notification has no address")
	}
	for _, f := range []struct{ name, value string }{
		{"To", n.To}, {"Email", n.Email}, {"Subject", n.Subject}, {"Key", n.Key},
	} {
		if strings.ContainsAny(f.value, "\r\n") {
			return nil, invalid(f.name, "contains a line break")
		}
	}
	to, err := mail.ParseAddress(n.Email)
	if err != nil {
		return nil, invalid("Email", fmt.Sprintf("%q is not an e-mail address", n.Email))
	}
	return to, nil
}

// message composes the RFC 5322 message for n.
func (s *SMTP) message(to *mail.Address, n Notification) ([]byte, error) {
	var b bytes.Buffer
	parts := multipart.NewWriter(&b)
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", (&mail.Address{Address: s.from}).String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", n.Subject))
	header("Date", s.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+rand.Text()+"@"+s.fromDomain+">")
	header("MIME-Version", "1.0")
	if n.Key != "" {
		header("X-Briefcase-Key", mime.QEncoding.Encode("utf-8", n.Key))
	}
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": parts.Boundary()}))
	b.WriteString("\r\n")

	htmlBody := n.HTML
	if htmlBody == "" {
		htmlBody = textToHTML(n.Body)
	}
	for _, p := range []struct{ contentType, text string }{
		{"text/plain; charset=utf-8", n.Body},
		{"text/html; charset=utf-8", htmlBody},
	} {
		w, err := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.text)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := parts.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// textToHTML shows plain text as HTML: escaped, line breaks kept.
func textToHTML(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.ReplaceAll(html.EscapeString(text), "\n", "<br>\n")
}

// send runs one SMTP exchange. Every read and write stops at ctx's
// deadline, and at once when ctx is cancelled.
func (s *SMTP) send(ctx context.Context, rcpt string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return err
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.localName); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(s.tls); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	} else if s.requireTLS {
		return ErrNoSTARTTLS
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	// The server has accepted the message: a failed QUIT must not make
	// the caller send it again.
	_ = c.Quit()
	return nil
}
