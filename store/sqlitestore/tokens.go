package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/auth"
)

type tokenRow struct {
	ID          string        `db:"id"`
	PrincipalID string        `db:"principal_id"`
	Name        string        `db:"name"`
	Hash        string        `db:"hash"`
	CreatedAt   sql.NullInt64 `db:"created_at"`
	ExpiresAt   sql.NullInt64 `db:"expires_at"`
}

func (r tokenRow) token() auth.Token {
	return auth.Token{ID: r.ID, PrincipalID: r.PrincipalID, Name: r.Name, Hash: r.Hash,
		CreatedAt: fromMicros(r.CreatedAt), ExpiresAt: fromMicros(r.ExpiresAt)}
}

const tokenSelect = `SELECT id, principal_id, name, hash, created_at, expires_at FROM briefcase_tokens`

// CreateToken stores a token; ErrConflict on a duplicate ID or hash.
func (e *engine) CreateToken(ctx context.Context, t auth.Token) error {
	_, err := e.exec(ctx, `INSERT INTO briefcase_tokens (id, principal_id, name, hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.ID, t.PrincipalID, t.Name, t.Hash, micros(t.CreatedAt), micros(t.ExpiresAt))
	if isUnique(err) {
		err = auth.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: create token %s: %w", t.ID, err)
	}
	return nil
}

// TokenByHash returns the token with the given hash.
func (e *engine) TokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	var r tokenRow
	err := sqlx.GetContext(ctx, e.read(), &r, tokenSelect+` WHERE hash = ?`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = auth.ErrNotFound
	}
	if err != nil {
		// The hash is a credential's fingerprint: keep it out of messages.
		return auth.Token{}, fmt.Errorf("sqlitestore: token by hash: %w", err)
	}
	return r.token(), nil
}

// ListTokens returns a principal's tokens, oldest first.
func (e *engine) ListTokens(ctx context.Context, principalID string) ([]auth.Token, error) {
	var rows []tokenRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, tokenSelect+` WHERE principal_id = ? ORDER BY created_at, id`, principalID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: tokens of %s: %w", principalID, err)
	}
	out := make([]auth.Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// DeleteToken deletes a token; ErrNotFound when absent.
func (e *engine) DeleteToken(ctx context.Context, id string) error {
	res, err := e.exec(ctx, `DELETE FROM briefcase_tokens WHERE id = ?`, id)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = auth.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: delete token %s: %w", id, err)
	}
	return nil
}
