// Package localblobs stores version contents on the local file system,
// content-addressed by SHA-256: a blob's key is the hex digest of its bytes,
// kept at <dir>/<first two hex digits>/<digest>. Writes go to a temporary
// file that is synced and renamed into place, so a crash never leaves a
// partial blob under a real key; storing the same bytes twice keeps one
// copy.
package localblobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/briefcasehq/briefcase/items"
)

// Dir is a blob store in one directory. It is safe for concurrent use.
type Dir struct {
	root string
}

var _ items.Blobs = (*Dir)(nil)

// New returns a blob store rooted at dir, creating it if needed.
func New(dir string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("localblobs: %w", err)
	}
	return &Dir{root: dir}, nil
}

func (d *Dir) path(key string) (string, error) {
	if len(key) != sha256.Size*2 {
		return "", fmt.Errorf("localblobs: bad key %q: %w", key, items.ErrNotFound)
	}
	if _, err := hex.DecodeString(key); err != nil {
		return "", fmt.Errorf("localblobs: bad key %q: %w", key, items.ErrNotFound)
	}
	return filepath.Join(d.root, key[:2], key), nil
}

// Put stores r's content. The context is checked between reads.
func (d *Dir) Put(ctx context.Context, r io.Reader) (items.BlobInfo, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "upload-*")
	if err != nil {
		return items.BlobInfo{}, fmt.Errorf("localblobs: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return items.BlobInfo{}, fmt.Errorf("localblobs: write: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst, _ := d.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return items.BlobInfo{}, fmt.Errorf("localblobs: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return items.BlobInfo{}, fmt.Errorf("localblobs: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(dst)); err == nil {
		dir.Sync() // make the rename durable; best effort on platforms without it
		dir.Close()
	}
	return items.BlobInfo{Key: sum, SHA256: sum, Size: n}, nil
}

// Open returns the blob's content.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("localblobs: %s: %w", key, items.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("localblobs: %w", err)
	}
	return f, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
