package memstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
)

// AppendAudit stores a copy of e with the next Seq.
func (s *Store) AppendAudit(ctx context.Context, e audit.Entry) error {
	return s.write(ctx, func(st *state) error {
		st.auditSeq++
		e.Seq = st.auditSeq
		e.At = utc(e.At)
		e.Before, e.After = bytes.Clone(e.Before), bytes.Clone(e.After)
		st.audit = append(st.audit, e)
		return nil
	})
}

// ListAudit returns the entries matching f in Seq order, at most f.Limit
// (zero: 100).
func (s *Store) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	return query(ctx, s, func(st *state) ([]audit.Entry, error) {
		limit := f.Limit
		if limit <= 0 {
			limit = 100
		}
		var out []audit.Entry
		for _, e := range st.audit {
			switch {
			case len(out) == limit:
				return out, nil
			case e.Seq <= f.AfterSeq,
				f.Actor != "" && e.Actor != f.Actor,
				f.TargetKind != "" && e.TargetKind != f.TargetKind,
				f.TargetID != "" && e.TargetID != f.TargetID,
				len(f.SpotIDs) > 0 && !slices.Contains(f.SpotIDs, e.SpotID),
				!f.Since.IsZero() && e.At.Before(f.Since),
				!f.Until.IsZero() && !e.At.Before(f.Until):
				continue
			}
			e.Before, e.After = bytes.Clone(e.Before), bytes.Clone(e.After)
			out = append(out, e)
		}
		return out, nil
	})
}

// CreateToken stores a token.
func (s *Store) CreateToken(ctx context.Context, t auth.Token) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.tokens[t.ID]; ok {
			return fmt.Errorf("memstore: create token %s: %w", t.ID, auth.ErrConflict)
		}
		for _, o := range st.tokens {
			if o.Hash == t.Hash {
				return fmt.Errorf("memstore: create token %s: hash taken: %w", t.ID, auth.ErrConflict)
			}
		}
		t.CreatedAt, t.ExpiresAt = utc(t.CreatedAt), utc(t.ExpiresAt)
		st.tokens[t.ID] = t
		return nil
	})
}

// TokenByHash returns the token with the given hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	return query(ctx, s, func(st *state) (auth.Token, error) {
		for _, t := range st.tokens {
			if t.Hash == hash {
				return t, nil
			}
		}
		return auth.Token{}, fmt.Errorf("memstore: token by hash: %w", auth.ErrNotFound)
	})
}

// ListTokens returns a principal's tokens, oldest first.
func (s *Store) ListTokens(ctx context.Context, principalID string) ([]auth.Token, error) {
	return query(ctx, s, func(st *state) ([]auth.Token, error) {
		var out []auth.Token
		for _, t := range st.tokens {
			if t.PrincipalID == principalID {
				out = append(out, t)
			}
		}
		slices.SortFunc(out, func(a, b auth.Token) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	})
}

// DeleteToken deletes a token.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.tokens[id]; !ok {
			return fmt.Errorf("memstore: delete token %s: %w", id, auth.ErrNotFound)
		}
		delete(st.tokens, id)
		return nil
	})
}
