package localblobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/matryer/is"
)

func TestPutOpen(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	b, err := localblobs.New(dir)
	is.NoErr(err)
	body := []byte("Q3 battlecard: why we win against Acme")
	info, err := b.Put(ctx, bytes.NewReader(body))
	is.NoErr(err)
	sum := sha256.Sum256(body)
	is.Equal(info.SHA256, hex.EncodeToString(sum[:]))
	is.Equal(info.Key, info.SHA256) // content-addressed
	is.Equal(info.Size, int64(len(body)))
	_, err = os.Stat(filepath.Join(dir, info.Key[:2], info.Key))
	is.NoErr(err) // stored under its digest

	rc, err := b.Open(ctx, info.Key)
	is.NoErr(err)
	got, err := io.ReadAll(rc)
	is.NoErr(err)
	is.NoErr(rc.Close())
	is.Equal(got, body)

	again, err := b.Put(ctx, bytes.NewReader(body))
	is.NoErr(err)
	is.Equal(again, info) // the same bytes, the same blob
	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	is.NoErr(err)
	is.Equal(len(tmp), 0) // no temporary files left behind
}

func TestOpenMissing(t *testing.T) {
	is := is.New(t)
	b, err := localblobs.New(t.TempDir())
	is.NoErr(err)
	for _, key := range []string{strings.Repeat("ab", 32), "../../etc/passwd", "", "zz"} {
		_, err := b.Open(context.Background(), key)
		is.True(errors.Is(err, items.ErrNotFound)) // missing and malformed keys are not found
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, "partial"), nil
	}
	return 0, errors.New("connection reset")
}

func TestFailedPutLeavesNothing(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	b, err := localblobs.New(dir)
	is.NoErr(err)
	_, err = b.Put(context.Background(), &failingReader{n: 3})
	is.True(err != nil)
	entries, err := os.ReadDir(dir)
	is.NoErr(err)
	is.Equal(len(entries), 1) // only tmp/
	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	is.NoErr(err)
	is.Equal(len(tmp), 0)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = b.Put(ctx, strings.NewReader("cancelled"))
	is.True(errors.Is(err, context.Canceled)) // a cancelled put stores nothing
}
