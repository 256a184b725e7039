package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"image/png"
	"io"
	"io/fs"
	"mime"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/share"
)

var (
	// ErrUnavailable: pdftoppm is not installed (or not where
	// Options.Path says). New returns it so callers can fall back.
	ErrUnavailable = errcode.New(errcode.Unavailable, "render: pdftoppm is not available")
	// ErrUnsupported: RenderPage was asked to draw a type Pages refuses.
	ErrUnsupported = errcode.New(errcode.FailedPrecondition, "render: cannot draw this type of file")
	// ErrMalformed: pdftoppm could not read the file (corrupt, truncated,
	// encrypted, not a PDF, no pages).
	ErrMalformed = errcode.New(errcode.FailedPrecondition, "render: cannot draw this file")
	// ErrTooLarge: the file is larger than Options.MaxInputBytes.
	ErrTooLarge = errcode.New(errcode.FailedPrecondition, "render: file too large to draw")
	// ErrTimeout: drawing the page, or waiting for a free slot to draw
	// it, took longer than Options.Timeout.
	ErrTimeout = errcode.New(errcode.Unavailable, "render: took too long")
)

// Options configure a PDF renderer. Zero fields take defaults.
type Options struct {
	// Path is the pdftoppm command; "pdftoppm" looked up on PATH by
	// default.
	Path string
	// DPI is the resolution pages are drawn at; 110 by default (an A4
	// page is 910 × 1287 pixels).
	DPI int
	// MaxSize caps the long side of a page image, in pixels; 1600 by
	// default. Larger pages are scaled down to fit.
	MaxSize int
	// Timeout bounds one page: the pdftoppm run, and separately the wait
	// for a free slot; 30 s by default.
	Timeout time.Duration
	// MaxInputBytes caps the size of the files drawn; 512 MiB by default
	// (the items service's upload cap).
	MaxInputBytes int64
	// Concurrency caps the pdftoppm processes running at once; 2 by
	// default.
	Concurrency int
	// CacheBytes caps the drawn pages kept in memory; 32 MiB by default,
	// negative for no cache.
	CacheBytes int64
	// TempDir is where files are copied for pdftoppm; os.TempDir() by
	// default.
	TempDir string
}

// PDF draws pages of PDF files with pdftoppm. It is safe for concurrent
// use.
type PDF struct {
	opt   Options
	path  string
	slots chan struct{}
	cache *cache // nil: no cache
}

var _ share.Renderer = (*PDF)(nil)

// New returns a renderer over pdftoppm, looked up once, here. The error
// wraps ErrUnavailable when pdftoppm cannot be found.
func New(opt Options) (*PDF, error) {
	if opt.Path == "" {
		opt.Path = "pdftoppm"
	}
	if opt.DPI <= 0 {
		opt.DPI = 110
	}
	if opt.MaxSize <= 0 {
		opt.MaxSize = 1600
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxInputBytes <= 0 {
		opt.MaxInputBytes = 512 << 20
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	if opt.CacheBytes == 0 {
		opt.CacheBytes = 32 << 20
	}
	path, err := exec.LookPath(opt.Path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (install poppler-utils)", ErrUnavailable, err)
	}
	p := &PDF{opt: opt, path: path, slots: make(chan struct{}, opt.Concurrency)}
	if opt.CacheBytes > 0 {
		p.cache = newCache(opt.CacheBytes)
	}
	return p, nil
}

// Path returns the pdftoppm command in use.
func (p *PDF) Path() string { return p.path }

// Pages reports whether mimeType is a PDF (application/pdf, parameters
// and case aside).
func (p *PDF) Pages(mimeType string) bool {
	mt, _, err := mime.ParseMediaType(mimeType)
	return err == nil && mt == "application/pdf"
}

// maxPage bounds the page numbers tried: no PDF has more pages.
const maxPage = 1 << 24

// RenderPage draws page (from 1) of the PDF read from r as a PNG. A page
// past the end, or below 1, is share.ErrItemUnavailable; other errors are
// ErrUnsupported, ErrTooLarge, ErrMalformed, ErrTimeout, ErrUnavailable
// (pdftoppm went missing) or ctx's error. Callers may keep and change the
// returned bytes.
func (p *PDF) RenderPage(ctx context.Context, r io.ReadSeeker, mimeType string, page int) ([]byte, string, error) {
	img, err := p.renderPage(ctx, r, mimeType, page)
	if err != nil {
		return nil, "", fmt.Errorf("render: page %d: %w", page, err)
	}
	return img, "image/png", nil
}

func (p *PDF) renderPage(ctx context.Context, r io.ReadSeeker, mimeType string, page int) ([]byte, error) {
	if !p.Pages(mimeType) {
		return nil, fmt.Errorf("%w (%s)", ErrUnsupported, mimeType)
	}
	if page < 1 || page > maxPage {
		return nil, fmt.Errorf("%w: no such page", share.ErrItemUnavailable)
	}
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	if size > p.opt.MaxInputBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, size, p.opt.MaxInputBytes)
	}
	var key cacheKey
	if p.cache != nil {
		if key, err = p.key(ctx, r, page); err != nil {
			return nil, err
		}
		if img, ok := p.cache.get(key); ok {
			return img, nil
		}
	}

	if err := p.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-p.slots }()
	if p.cache != nil {
		// Drawn by another request while this one waited.
		if img, ok := p.cache.get(key); ok {
			return img, nil
		}
	}
	img, sum, err := p.run(ctx, r, page)
	if err != nil {
		return nil, err
	}
	if p.cache != nil {
		p.cache.put(cacheKey{sum: sum, page: page}, bytes.Clone(img))
	}
	return img, nil
}

// key hashes the file read from r.
func (p *PDF) key(ctx context.Context, r io.ReadSeeker, page int) (cacheKey, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return cacheKey{}, fmt.Errorf("read: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, &ctxReader{ctx: ctx, r: io.LimitReader(r, p.opt.MaxInputBytes)}); err != nil {
		return cacheKey{}, fmt.Errorf("read: %w", err)
	}
	k := cacheKey{page: page}
	h.Sum(k.sum[:0])
	return k, nil
}

// acquire takes one of the Concurrency slots, waiting at most Timeout.
func (p *PDF) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(p.opt.Timeout)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w: no free slot within %s (%d pages drawn at a time)", ErrTimeout, p.opt.Timeout, p.opt.Concurrency)
	}
}

// run copies the file to a private directory and draws the page there. It
// returns the PNG and the SHA-256 of the file it drew.
func (p *PDF) run(ctx context.Context, r io.ReadSeeker, page int) ([]byte, [32]byte, error) {
	var sum [32]byte
	dir, err := os.MkdirTemp(p.opt.TempDir, "briefcase-render-*") // 0700
	if err != nil {
		return nil, sum, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	if dir, err = filepath.Abs(dir); err != nil { // never read as an option
		return nil, sum, fmt.Errorf("temporary directory: %w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, p.opt.Timeout, ErrTimeout)
	defer cancel()
	h := sha256.New()
	if err := p.copyFile(ctx, filepath.Join(dir, "in.pdf"), r, h); err != nil {
		return nil, sum, err
	}
	h.Sum(sum[:0])

	n := strconv.Itoa(page)
	maxSize := strconv.Itoa(p.opt.MaxSize)
	// At DPI, cropped to MaxSize × MaxSize: pdftoppm allocates only the
	// crop, whatever size the page claims.
	img, w, hgt, err := p.pdftoppm(ctx, dir, page, "-f", n, "-l", n, "-r", strconv.Itoa(p.opt.DPI), "-W", maxSize, "-H", maxSize)
	if err != nil {
		return nil, sum, err
	}
	if w >= p.opt.MaxSize || hgt >= p.opt.MaxSize {
		// Perhaps cropped: draw it again scaled to fit.
		img, _, _, err = p.pdftoppm(ctx, dir, page, "-f", n, "-l", n, "-scale-to", maxSize)
		if err != nil {
			return nil, sum, err
		}
	}
	return img, sum, nil
}

// copyFile copies r to a new file at name (0600), through h.
func (p *PDF) copyFile(ctx context.Context, name string, r io.ReadSeeker, h hash.Hash) error {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("temporary copy: %w", err)
	}
	n, err := io.Copy(io.MultiWriter(f, h), &ctxReader{ctx: ctx, r: io.LimitReader(r, p.opt.MaxInputBytes+1)})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case ctx.Err() != nil:
		return p.ctxErr(ctx, "copying the file")
	case err != nil:
		return fmt.Errorf("temporary copy: %w", err)
	case n > p.opt.MaxInputBytes:
		return fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, p.opt.MaxInputBytes)
	}
	return nil
}

// pdftoppm runs pdftoppm on dir/in.pdf with args and returns the PNG it
// wrote and its size.
func (p *PDF) pdftoppm(ctx context.Context, dir string, page int, args ...string) ([]byte, int, int, error) {
	out := filepath.Join(dir, "page")
	os.Remove(out + ".png") // from a first attempt
	args = append(args, "-png", "-singlefile", "-cropbox", filepath.Join(dir, "in.pdf"), out)
	cmd := exec.CommandContext(ctx, p.path, args...)
	cmd.Dir = dir
	stderr := &headBuffer{max: 2048}
	cmd.Stderr = stderr
	cmd.WaitDelay = 2 * time.Second // pipes closed this long after a kill, whatever a child holds
	runErr := cmd.Run()
	msg := strings.TrimSpace(stderr.String())
	if ctx.Err() != nil {
		return nil, 0, 0, p.ctxErr(ctx, "drawing the page")
	}
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		if errors.Is(runErr, fs.ErrNotExist) {
			return nil, 0, 0, fmt.Errorf("%w: %v", ErrUnavailable, runErr)
		}
		return nil, 0, 0, fmt.Errorf("pdftoppm: %w", runErr)
	}
	img, err := os.ReadFile(out + ".png")
	if errors.Is(err, fs.ErrNotExist) {
		// Poppler exits 99 with "Wrong page range given" when the first
		// page is past the last; older versions exit 0 and write nothing.
		if runErr == nil || (exit.ExitCode() == 99 && strings.Contains(msg, "page range")) {
			if page == 1 {
				return nil, 0, 0, fmt.Errorf("%w: the file has no pages", ErrMalformed)
			}
			return nil, 0, 0, fmt.Errorf("%w: no page %d", share.ErrItemUnavailable, page)
		}
	}
	if runErr != nil {
		return nil, 0, 0, fmt.Errorf("%w: pdftoppm: %v: %s", ErrMalformed, runErr, firstLines(msg, 3))
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pdftoppm output: %w", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%w: pdftoppm wrote no PNG: %v", ErrMalformed, err)
	}
	return img, cfg.Width, cfg.Height, nil
}

// ctxErr is the error of a step that ended with ctx: ErrTimeout when
// Timeout ran out, the caller's cancellation or deadline otherwise.
func (p *PDF) ctxErr(ctx context.Context, step string) error {
	if errors.Is(context.Cause(ctx), ErrTimeout) {
		return fmt.Errorf("%w: %s took more than %s", ErrTimeout, step, p.opt.Timeout)
	}
	return ctx.Err()
}

// firstLines returns at most n lines of s, on one line.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(len(lines), n)], "; ")
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// headBuffer keeps the first max bytes written to it.
type headBuffer struct {
	bytes.Buffer
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - h.Len(); room > 0 {
		h.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
