package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpConfig shapes a test SMTP server.
type smtpConfig struct {
	// TLS, when set, makes the server offer STARTTLS with it.
	TLS *tls.Config
	// RcptCode, when set, is the answer to every RCPT TO.
	RcptCode int
	// Silent servers accept connections and never say anything.
	Silent bool
	// HangOn names a command the server never answers.
	HangOn string
}

// smtpMessage is one message a test SMTP server accepted.
type smtpMessage struct {
	Helo     string
	From     string
	To       []string
	Data     []byte // as received, CRLF line endings, dots unstuffed
	TLS      bool
	AuthUser string
	AuthPass string
}

// smtpServer is a minimal SMTP server on a loopback port: EHLO/HELO,
// STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, one
// goroutine per connection. It records the messages it accepts.
type smtpServer struct {
	Addr     string
	cfg      smtpConfig
	ln       net.Listener
	accepted chan struct{} // a value per connection, when there is room
	hung     chan struct{} // a value each time the server stops answering HangOn

	mu     sync.Mutex
	closed bool
	conns  []net.Conn
	msgs   []smtpMessage
	wg     sync.WaitGroup
}

func startSMTPServer(t *testing.T, cfg smtpConfig) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{Addr: ln.Addr().String(), cfg: cfg, ln: ln, accepted: make(chan struct{}, 16),
		hung: make(chan struct{}, 16)}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		s.closed = true
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

func (s *smtpServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *smtpServer) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns = append(s.conns, conn)
		s.wg.Add(1)
		s.mu.Unlock()
		select {
		case s.accepted <- struct{}{}:
		default:
		}
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.session(conn)
		}()
	}
}

func (s *smtpServer) session(conn net.Conn) {
	if s.cfg.Silent {
		_, _ = io.Copy(io.Discard, conn) // until the client or the cleanup closes it
		return
	}
	tp := textproto.NewConn(conn)
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	if !reply("220 test.invalid ESMTP ready") {
		return
	}
	var (
		inTLS         bool
		helo          string
		user, pass    string
		from          string
		rcpts         []string
		tlsOffered    = s.cfg.TLS != nil
		resetEnvelope = func() { from, rcpts = "", nil }
	)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if s.cfg.HangOn != "" && verb == s.cfg.HangOn {
			select {
			case s.hung <- struct{}{}:
			default:
			}
			_, _ = io.Copy(io.Discard, conn)
			return
		}
		ok := true
		switch verb {
		case "EHLO":
			helo = arg
			resetEnvelope()
			lines := []string{"test.invalid greets " + arg}
			if tlsOffered && !inTLS {
				lines = append(lines, "STARTTLS")
			}
			lines = append(lines, "AUTH PLAIN", "8BITMIME", "HELP")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250%s%s", sep, l) {
					return
				}
			}
		case "HELO":
			helo = arg
			resetEnvelope()
			ok = reply("250 test.invalid")
		case "STARTTLS":
			if !tlsOffered || inTLS {
				ok = reply("502 5.5.1 STARTTLS not available")
				break
			}
			if !reply("220 2.0.0 ready to start TLS") {
				return
			}
			tc := tls.Server(conn, s.cfg.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, tp, inTLS = tc, textproto.NewConn(tc), true
			helo = "" // the client must greet again
			resetEnvelope()
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				ok = reply("504 5.5.4 unrecognised authentication type")
				break
			}
			if initial == "" {
				if !reply("334 ") {
					return
				}
				if initial, err = tp.ReadLine(); err != nil {
					return
				}
			}
			raw, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 {
				ok = reply("501 5.5.2 malformed AUTH PLAIN")
				break
			}
			user, pass = parts[1], parts[2]
			ok = reply("235 2.7.0 authenticated")
		case "MAIL":
			addr, found := pathArg(arg, "FROM:")
			if !found || helo == "" {
				ok = reply("503 5.5.1 say EHLO first, then MAIL FROM:<address>")
				break
			}
			from = addr
			ok = reply("250 2.1.0 ok")
		case "RCPT":
			addr, found := pathArg(arg, "TO:")
			switch {
			case !found || from == "":
				ok = reply("503 5.5.1 need MAIL FROM before RCPT TO:<address>")
			case s.cfg.RcptCode != 0:
				ok = reply("%d 5.1.1 <%s>: no such user here", s.cfg.RcptCode, addr)
			default:
				rcpts = append(rcpts, addr)
				ok = reply("250 2.1.5 ok")
			}
		case "DATA":
			if from == "" || len(rcpts) == 0 {
				ok = reply("503 5.5.1 need MAIL and RCPT first")
				break
			}
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			var data strings.Builder
			for {
				l, err := tp.R.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".")) // dot-unstuffing
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, smtpMessage{Helo: helo, From: from, To: rcpts, Data: []byte(data.String()),
				TLS: inTLS, AuthUser: user, AuthPass: pass})
			s.mu.Unlock()
			resetEnvelope()
			ok = reply("250 2.0.0 queued")
		case "RSET":
			resetEnvelope()
			ok = reply("250 2.0.0 ok")
		case "NOOP":
			ok = reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			ok = reply("500 5.5.2 unknown command %s", verb)
		}
		if !ok {
			return
		}
	}
}

// pathArg reads "FROM:<a@b> PARAMS" (or TO:) and returns a@b.
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	path, _, _ := strings.Cut(strings.TrimSpace(arg[len(prefix):]), " ")
	if !strings.HasPrefix(path, "<") || !strings.HasSuffix(path, ">") {
		return "", false
	}
	return path[1 : len(path)-1], true
}

// testCertificate returns a self-signed certificate for 127.0.0.1 and
// localhost, and a pool that trusts it.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "briefcase notify test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// tlsSMTPServer starts a server offering STARTTLS with a fresh certificate
// and returns it with a pool that trusts the certificate.
func tlsSMTPServer(t *testing.T, cfg smtpConfig) (*smtpServer, *x509.CertPool) {
	t.Helper()
	cert, pool := testCertificate(t)
	cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return startSMTPServer(t, cfg), pool
}
