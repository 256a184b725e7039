package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/notify"
)

var mailNow = time.Date(2024, 2, 14, 9, 30, 0, 0, time.UTC)

func newSMTP(t *testing.T, opts notify.SMTPOptions) *notify.SMTP {
	t.Helper()
	if opts.From == "" {
		opts.From = "noreply@briefcase.test"
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return mailNow }
	}
	s, err := notify.NewSMTP(opts)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

// mimePart is one decoded part of a received message.
type mimePart struct {
	Header textproto.MIMEHeader
	Text   string // decoded, line endings as \n
}

// parseMessage reads a received message as a mail reader would, checking
// on the way that it is 7-bit and CRLF-terminated.
func parseMessage(t *testing.T, data []byte) (*mail.Message, []mimePart) {
	t.Helper()
	for i, c := range data {
		if c >= 0x80 {
			t.Fatalf("byte %d of the message is not 7-bit: %q", i, data[max(0, i-20):i+1])
		}
	}
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("the message has bare LF line endings")
	}
	for _, line := range strings.Split(string(data), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line longer than 998 characters: %.40q...", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var parts []mimePart
	for {
		p, err := r.NextRawPart() // raw: keep Content-Transfer-Encoding visible
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("part %s has Content-Transfer-Encoding %q", p.Header.Get("Content-Type"), cte)
		}
		raw, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 76 {
				t.Fatalf("quoted-printable line longer than 76 characters: %q", line)
			}
		}
		text, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mimePart{Header: p.Header, Text: strings.ReplaceAll(string(text), "\r\n", "\n")})
	}
	return msg, parts
}

func TestSMTPDeliversOverSTARTTLSWithAuth(t *testing.T) {
	is := is.New(t)
	srv, pool := tlsSMTPServer(t, smtpConfig{})
	tlsConfig := &tls.Config{RootCAs: pool} // no ServerName: it comes from Addr
	s := newSMTP(t, notify.SMTPOptions{
		Addr:      srv.Addr,
		Username:  "briefcase",
		Password:  "app-password",
		TLSConfig: tlsConfig,
		LocalName: "app.briefcase.test",
	})
	is.Equal(tlsConfig.ServerName, "") // the caller's config is not changed

	body := "Your code is 493817.\n" +
		".a line that starts with a dot\n" +
		"A long line that quoted-printable has to wrap because it is much longer than seventy-six characters, with = signs.\n" +
		"Grüße & <tags>"
	n := notify.Notification{To: "p-9", Email: "buyer@example.com", Subject: "Your access code", Body: body,
		Kind: "share.otp", Key: "otp-42"}
	is.NoErr(s.Notify(context.Background(), n))

	msgs := srv.messages()
	is.Equal(len(msgs), 1)
	got := msgs[0]
	is.True(got.TLS)                         // sent after STARTTLS
	is.Equal(got.Helo, "app.briefcase.test") // greeted again inside TLS, with LocalName
	is.Equal(got.AuthUser, "briefcase")
	is.Equal(got.AuthPass, "app-password")
	is.Equal(got.From, "noreply@briefcase.test")
	is.Equal(got.To, []string{"buyer@example.com"})

	msg, parts := parseMessage(t, got.Data)
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	is.NoErr(err)
	is.Equal(from.Address, "noreply@briefcase.test")
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	is.NoErr(err)
	is.Equal(to.Address, "buyer@example.com")
	is.Equal(msg.Header.Get("Subject"), "Your access code") // plain ASCII stays as it is
	date, err := msg.Header.Date()
	is.NoErr(err)
	is.True(date.Equal(mailNow))
	is.True(strings.HasPrefix(msg.Header.Get("Message-ID"), "<"))
	is.True(strings.HasSuffix(msg.Header.Get("Message-ID"), "@briefcase.test>"))
	is.Equal(msg.Header.Get("MIME-Version"), "1.0")
	is.Equal(msg.Header.Get("X-Briefcase-Key"), "otp-42")

	is.Equal(len(parts), 2)
	is.Equal(parts[0].Header.Get("Content-Type"), "text/plain; charset=utf-8")
	is.Equal(parts[0].Text, body)
	is.Equal(parts[1].Header.Get("Content-Type"), "text/html; charset=utf-8")
	is.Equal(parts[1].Text, "Your code is 493817.<br>\n"+
		".a line that starts with a dot<br>\n"+
		"A long line that quoted-printable has to wrap because it is much longer than seventy-six characters, with = signs.<br>\n"+
		"Grüße &amp; &lt;tags&gt;")
}

func TestSMTPMessageIDsAreUnique(t *testing.T) {
	is := is.New(t)
	srv := startSMTPServer(t, smtpConfig{})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
	n := notify.Notification{Email: "a@example.com", Subject: "s", Body: "b"}
	is.NoErr(s.Notify(context.Background(), n))
	is.NoErr(s.Notify(context.Background(), n))
	msgs := srv.messages()
	is.Equal(len(msgs), 2)
	first, _ := parseMessage(t, msgs[0].Data)
	second, _ := parseMessage(t, msgs[1].Data)
	is.True(first.Header.Get("Message-ID") != second.Header.Get("Message-ID"))
	is.Equal(first.Header.Get("X-Briefcase-Key"), "") // no Key, no header
}

func TestSMTPUsesGivenHTML(t *testing.T) {
	is := is.New(t)
	srv := startSMTPServer(t, smtpConfig{})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
	html := `<p style="color: #333">Your room is <a href="https://briefcase.test/r/abc?x=1&amp;y=2">ready</a>.</p>`
	is.NoErr(s.Notify(context.Background(), notify.Notification{Email: "a@example.com", Subject: "Room",
		Body: "Your room is ready: https://briefcase.test/r/abc", HTML: html}))
	msgs := srv.messages()
	is.Equal(len(msgs), 1)
	_, parts := parseMessage(t, msgs[0].Data)
	is.Equal(len(parts), 2)
	is.Equal(parts[0].Text, "Your room is ready: https://briefcase.test/r/abc")
	is.Equal(parts[1].Text, html)
}

func TestSMTPEncodesNonASCIIHeaders(t *testing.T) {
	is := is.New(t)
	srv := startSMTPServer(t, smtpConfig{})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
	subject := "Grüße – Ihr Zugangscode für „Angebot 2024“ 🎉 =?not-an-encoded-word?="
	is.NoErr(s.Notify(context.Background(), notify.Notification{Email: "Jörg Müller <joerg@example.com>",
		Subject: subject, Body: "Hallo Jörg", Key: "schlüssel-1"}))

	msgs := srv.messages()
	is.Equal(len(msgs), 1)
	is.Equal(msgs[0].To, []string{"joerg@example.com"}) // the envelope has the bare address
	msg, parts := parseMessage(t, msgs[0].Data)         // checks the message is 7-bit

	raw := msg.Header.Get("Subject")
	is.True(strings.HasPrefix(raw, "=?utf-8?q?"))
	var dec mime.WordDecoder
	decoded, err := dec.DecodeHeader(raw)
	is.NoErr(err)
	is.Equal(decoded, subject)

	to, err := mail.ParseAddress(msg.Header.Get("To")) // decodes the name
	is.NoErr(err)
	is.Equal(to.Name, "Jörg Müller")
	is.Equal(to.Address, "joerg@example.com")
	key, err := dec.DecodeHeader(msg.Header.Get("X-Briefcase-Key"))
	is.NoErr(err)
	is.Equal(key, "schlüssel-1")
	is.Equal(parts[0].Text, "Hallo Jörg")
}

func TestSMTPWithoutSTARTTLS(t *testing.T) {
	is := is.New(t)
	srv := startSMTPServer(t, smtpConfig{}) // offers no STARTTLS
	n := notify.Notification{Email: "a@example.com", Subject: "s", Body: "b"}

	// Allowed by default: plain text, and AUTH PLAIN because it is loopback.
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, Username: "u", Password: "p"})
	is.NoErr(s.Notify(context.Background(), n))
	msgs := srv.messages()
	is.Equal(len(msgs), 1)
	is.True(!msgs[0].TLS)
	is.Equal(msgs[0].AuthUser, "u")
	is.Equal(msgs[0].Helo, "localhost") // the default LocalName

	// Refused with RequireTLS, before any credentials or mail are sent.
	s = newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, RequireTLS: true})
	err := s.Notify(context.Background(), n)
	is.True(errors.Is(err, notify.ErrNoSTARTTLS))
	is.True(strings.Contains(err.Error(), srv.Addr))
	is.Equal(len(srv.messages()), 1)
}

func TestSMTPRequireTLSWithSTARTTLS(t *testing.T) {
	is := is.New(t)
	srv, pool := tlsSMTPServer(t, smtpConfig{})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, RequireTLS: true, TLSConfig: &tls.Config{RootCAs: pool}})
	is.NoErr(s.Notify(context.Background(), notify.Notification{Email: "a@example.com", Subject: "s", Body: "b"}))
	msgs := srv.messages()
	is.Equal(len(msgs), 1)
	is.True(msgs[0].TLS)
}

func TestSMTPVerifiesTheServerCertificate(t *testing.T) {
	is := is.New(t)
	srv, _ := tlsSMTPServer(t, smtpConfig{})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, Username: "u", Password: "p"}) // system roots only
	err := s.Notify(context.Background(), notify.Notification{Email: "a@example.com", Subject: "s", Body: "b"})
	var unknown x509.UnknownAuthorityError
	is.True(errors.As(err, &unknown)) // no falling back to plain text
	is.Equal(len(srv.messages()), 0)
}

func TestSMTPRejectedRecipient(t *testing.T) {
	is := is.New(t)
	srv := startSMTPServer(t, smtpConfig{RcptCode: 550})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
	err := s.Notify(context.Background(), notify.Notification{Email: "gone@example.com", Subject: "s", Body: "b"})
	var perr *textproto.Error
	is.True(errors.As(err, &perr))
	is.Equal(perr.Code, 550)
	is.True(strings.Contains(err.Error(), "gone@example.com"))
	is.Equal(len(srv.messages()), 0)
}

func TestSMTPRefusesInvalidNotifications(t *testing.T) {
	valid := notify.Notification{To: "p-1", Email: "a@example.com", Subject: "Hello", Body: "line one\r\nline two",
		Kind: "share.viewed", Key: "k1"}
	for _, tc := range []struct {
		name  string
		edit  func(*notify.Notification)
		field string
	}{
		{"no email", func(n *notify.Notification) { n.Email = "" }, "Email"},
		{"not an address", func(n *notify.Notification) { n.Email = "not an address" }, "Email"},
		{"two addresses", func(n *notify.Notification) { n.Email = "a@example.com, b@example.com" }, "Email"},
		{"CRLF in subject", func(n *notify.Notification) { n.Subject = "Hi\r\nBcc: victim@example.com" }, "Subject"},
		{"LF in subject", func(n *notify.Notification) { n.Subject = "Hi\nBcc: victim@example.com" }, "Subject"},
		{"CR in subject", func(n *notify.Notification) { n.Subject = "Hi\rBcc: victim@example.com" }, "Subject"},
		{"CRLF in email", func(n *notify.Notification) { n.Email = "a@example.com\r\nBcc: victim@example.com" }, "Email"},
		{"LF in to", func(n *notify.Notification) { n.To = "p-1\nX-Evil: 1" }, "To"},
		{"CRLF in key", func(n *notify.Notification) { n.Key = "k1\r\nX-Evil: 1" }, "Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			srv := startSMTPServer(t, smtpConfig{})
			s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
			n := valid
			tc.edit(&n)
			err := s.Notify(context.Background(), n)
			is.True(errors.Is(err, notify.ErrInvalid))
			var ierr *notify.InvalidError
			is.True(errors.As(err, &ierr))
			is.Equal(ierr.Notifier, "smtp")
			is.Equal(ierr.Field, tc.field)
			is.Equal(srv.connections(), 0) // refused before connecting
		})
	}
	t.Run("missing email says so", func(t *testing.T) {
		is := is.New(t)
		s := newSMTP(t, notify.SMTPOptions{Addr: "127.0.0.1:1"})
		err := s.Notify(context.Background(), notify.Notification{Subject: "s", Body: "b"})
		is.True(strings.Contains(err.Error(), "no address"))
	})
	t.Run("line breaks in the body are fine", func(t *testing.T) {
		is := is.New(t)
		srv := startSMTPServer(t, smtpConfig{})
		is.NoErr(newSMTP(t, notify.SMTPOptions{Addr: srv.Addr}).Notify(context.Background(), valid))
		_, parts := parseMessage(t, srv.messages()[0].Data)
		is.Equal(parts[0].Text, "line one\nline two")
	})
}

func TestSMTPGivesUpOnTime(t *testing.T) {
	n := notify.Notification{Email: "a@example.com", Subject: "s", Body: "b"}
	t.Run("Timeout, silent server", func(t *testing.T) {
		is := is.New(t)
		srv := startSMTPServer(t, smtpConfig{Silent: true})
		s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, Timeout: 50 * time.Millisecond})
		start := time.Now()
		err := s.Notify(context.Background(), n)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.DeadlineExceeded))
		is.Equal(srv.connections(), 1)
	})
	t.Run("Timeout, server stops answering inside TLS", func(t *testing.T) {
		is := is.New(t)
		srv, pool := tlsSMTPServer(t, smtpConfig{HangOn: "RCPT"})
		s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, TLSConfig: &tls.Config{RootCAs: pool},
			Timeout: 200 * time.Millisecond})
		start := time.Now()
		err := s.Notify(context.Background(), n)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.DeadlineExceeded))
		is.Equal(len(srv.hung), 1) // it got as far as RCPT
	})
	t.Run("ctx deadline, silent server", func(t *testing.T) {
		is := is.New(t)
		srv := startSMTPServer(t, smtpConfig{Silent: true})
		s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr}) // Timeout 30s
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Notify(ctx, n)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.DeadlineExceeded))
	})
	t.Run("ctx cancelled while waiting for a reply", func(t *testing.T) {
		is := is.New(t)
		srv := startSMTPServer(t, smtpConfig{HangOn: "EHLO"})
		s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-srv.hung; cancel() }() // the client is waiting for the EHLO reply
		start := time.Now()
		err := s.Notify(ctx, n)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.Canceled))
	})
	t.Run("ctx cancelled inside TLS", func(t *testing.T) {
		is := is.New(t)
		srv, pool := tlsSMTPServer(t, smtpConfig{HangOn: "DATA"})
		s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, TLSConfig: &tls.Config{RootCAs: pool}})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-srv.hung; cancel() }() // the client is waiting for the DATA reply
		start := time.Now()
		err := s.Notify(ctx, n)
		is.True(time.Since(start) < 5*time.Second)
		is.True(errors.Is(err, context.Canceled))
		is.Equal(len(srv.messages()), 0)
	})
	t.Run("already done", func(t *testing.T) {
		is := is.New(t)
		srv := startSMTPServer(t, smtpConfig{})
		s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		is.True(errors.Is(s.Notify(ctx, n), context.Canceled))
		is.Equal(len(srv.messages()), 0)
	})
}

func TestSMTPConcurrentUse(t *testing.T) {
	is := is.New(t)
	srv, pool := tlsSMTPServer(t, smtpConfig{})
	s := newSMTP(t, notify.SMTPOptions{Addr: srv.Addr, TLSConfig: &tls.Config{RootCAs: pool}})
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Notify(context.Background(), notify.Notification{Email: "a@example.com", Subject: "s", Body: "b"})
		})
	}
	wg.Wait()
	for _, err := range errs {
		is.NoErr(err)
	}
	is.Equal(len(srv.messages()), len(errs))
}

func TestNewSMTPRejectsInvalidOptions(t *testing.T) {
	valid := func() notify.SMTPOptions {
		return notify.SMTPOptions{Addr: "smtp.example.com:587", From: "noreply@example.com"}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*notify.SMTPOptions)
		field string
	}{
		{"no addr", func(o *notify.SMTPOptions) { o.Addr = "" }, "Addr"},
		{"no port", func(o *notify.SMTPOptions) { o.Addr = "smtp.example.com" }, "Addr"},
		{"empty port", func(o *notify.SMTPOptions) { o.Addr = "smtp.example.com:" }, "Addr"},
		{"no host", func(o *notify.SMTPOptions) { o.Addr = ":587" }, "Addr"},
		{"no from", func(o *notify.SMTPOptions) { o.From = "" }, "From"},
		{"from not an address", func(o *notify.SMTPOptions) { o.From = "briefcase" }, "From"},
		{"from with a name", func(o *notify.SMTPOptions) { o.From = "Briefcase <noreply@example.com>" }, "From"},
		{"from with a line break", func(o *notify.SMTPOptions) { o.From = "noreply@example.com\r\nBcc: x@y.z" }, "From"},
		{"password without username", func(o *notify.SMTPOptions) { o.Password = "secret" }, "Password"},
		{"negative timeout", func(o *notify.SMTPOptions) { o.Timeout = -time.Second }, "Timeout"},
		{"local name with a space", func(o *notify.SMTPOptions) { o.LocalName = "my host" }, "LocalName"},
		{"local name with a line break", func(o *notify.SMTPOptions) { o.LocalName = "host\r\nMAIL FROM:<x@y.z>" }, "LocalName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			opts := valid()
			tc.edit(&opts)
			s, err := notify.NewSMTP(opts)
			is.Equal(s, nil)
			is.True(errors.Is(err, notify.ErrInvalid))
			var ierr *notify.InvalidError
			is.True(errors.As(err, &ierr))
			is.Equal(ierr.Notifier, "smtp")
			is.Equal(ierr.Field, tc.field)
			is.True(strings.Contains(err.Error(), tc.field))
		})
	}
	t.Run("valid", func(t *testing.T) {
		is := is.New(t)
		opts := valid()
		opts.Username, opts.Password = "u", "p"
		_, err := notify.NewSMTP(opts)
		is.NoErr(err)
	})
}
