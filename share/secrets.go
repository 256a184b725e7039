package share

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Security parameters.
const (
	// linkTokenBytes is the entropy of a link token: 192 bits.
	linkTokenBytes = 24
	// MinPasscode is the shortest passcode accepted.
	MinPasscode = 4
	// MaxPasscodeAttempts wrong passcodes in a row lock a link's passcode
	// for PasscodeLockout.
	MaxPasscodeAttempts = 5
	PasscodeLockout     = 15 * time.Minute
	// CodeTTL is how long a one-time code is valid; MaxCodeAttempts wrong
	// guesses kill it. CodeResendAfter is the least time between two codes
	// for one address.
	CodeTTL         = 10 * time.Minute
	MaxCodeAttempts = 5
	CodeResendAfter = 30 * time.Second
	// SessionTTL is how long a passed gate stays passed in one browser.
	SessionTTL = 12 * time.Hour
	// BeaconTokenTTL is how long a beacon token is valid; every accepted
	// beacon returns a fresh one.
	BeaconTokenTTL = 30 * time.Minute
	// passcodeIterations is the PBKDF2-SHA256 work factor for passcodes.
	passcodeIterations = 100_000
)

var b64 = base64.RawURLEncoding

// newSecret returns n random bytes from crypto/rand, URL-safe encoded.
func newSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("share: random: %w", err)
	}
	return b64.EncodeToString(b), nil
}

// hashToken is the stored form of a link token: hex SHA-256.
func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// HashToken returns the stored form of a link token, for adapters and
// tools that look links up.
func HashToken(tok string) string { return hashToken(tok) }

// hashPasscode returns "pbkdf2-sha256$iter$salt$hash".
func hashPasscode(pass string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pass, salt, passcodeIterations, 32)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", passcodeIterations, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPasscode reports whether pass matches a hash from hashPasscode.
func checkPasscode(hash, pass string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	salt, err1 := b64.DecodeString(parts[2])
	want, err2 := b64.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pass, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// newCode returns a 6-digit one-time code drawn uniformly from crypto/rand.
func newCode() (string, error) {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		// Reject the top of the range so every code is equally likely.
		v := binary.BigEndian.Uint64(b[:])
		if v < (1<<64-1)/1_000_000*1_000_000 {
			return fmt.Sprintf("%06d", v%1_000_000), nil
		}
	}
}

// hashCode binds a one-time code to its link and address.
func (s *Service) hashCode(key []byte, linkID, email, code string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "code\x00%s\x00%s\x00%s", linkID, email, code)
	return hex.EncodeToString(m.Sum(nil))
}

// signingKey returns the key for beacon tokens and sessions.
func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	if len(s.opt.SigningKey) > 0 {
		if len(s.opt.SigningKey) < 16 {
			return nil, errors.New("share: Options.SigningKey must be at least 16 bytes")
		}
		return s.opt.SigningKey, nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("share: signing key: %w", err)
	}
	key, err := s.st.Secret(ctx, "share.signing_key", k)
	if err != nil {
		return nil, fmt.Errorf("share: signing key: %w", err)
	}
	if len(key) < 16 {
		return nil, errors.New("share: stored signing key is too short")
	}
	s.key = key
	return s.key, nil
}

// sign returns payload.mac, both URL-safe.
func sign(key []byte, purpose string, fields ...string) string {
	payload := b64.EncodeToString([]byte(strings.Join(fields, "\x00")))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\x00" + payload))
	return payload + "." + b64.EncodeToString(m.Sum(nil))
}

// verify checks a value from sign and returns its fields.
func verify(key []byte, purpose, v string) ([]string, bool) {
	payload, mac, ok := strings.Cut(v, ".")
	if !ok || len(v) > 4096 {
		return nil, false
	}
	got, err := b64.DecodeString(mac)
	if err != nil {
		return nil, false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\x00" + payload))
	if !hmac.Equal(got, m.Sum(nil)) {
		return nil, false
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return nil, false
	}
	return strings.Split(string(raw), "\x00"), true
}

// Session is what a browser holds after passing a link's gates.
type Session struct {
	LinkID string
	// Email is the address verified at the e-mail gate.
	Email string
	// Passcode is set when the passcode was typed.
	Passcode  bool
	ExpiresAt time.Time
}

func (s *Service) encodeSession(key []byte, ss Session) string {
	pass := "0"
	if ss.Passcode {
		pass = "1"
	}
	return sign(key, "session", ss.LinkID, ss.Email, pass, strconv.FormatInt(ss.ExpiresAt.Unix(), 10))
}

// decodeSession returns the session in v when it is genuine and current;
// otherwise the zero Session.
func (s *Service) decodeSession(key []byte, v string, now time.Time) Session {
	f, ok := verify(key, "session", v)
	if !ok || len(f) != 4 {
		return Session{}
	}
	exp, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || !now.Before(time.Unix(exp, 0)) {
		return Session{}
	}
	return Session{LinkID: f[0], Email: f[1], Passcode: f[2] == "1", ExpiresAt: time.Unix(exp, 0).UTC()}
}

// beaconToken signs (view, link, expiry).
func beaconToken(key []byte, viewID, linkID string, exp time.Time) string {
	return sign(key, "beacon", viewID, linkID, strconv.FormatInt(exp.UnixMilli(), 10))
}

// parseBeaconToken returns the view and link of a genuine token and its
// expiry; ok is false for forged or expired tokens.
func parseBeaconToken(key []byte, tok string, now time.Time) (viewID, linkID string, exp time.Time, ok bool) {
	f, good := verify(key, "beacon", tok)
	if !good || len(f) != 3 {
		return "", "", time.Time{}, false
	}
	ms, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return "", "", time.Time{}, false
	}
	exp = time.UnixMilli(ms).UTC()
	if !now.Before(exp) {
		return "", "", time.Time{}, false
	}
	return f[0], f[1], exp, true
}
