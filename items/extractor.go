package items

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/errcode"
)

// ErrUnsupported is what an Extractor returns (wrapped) for a file type it
// takes no text from: images, video, unknown formats. It is an answer, not a
// failure: the version is stored without text and nothing is logged above
// debug level.
var ErrUnsupported = errcode.New(errcode.Invalid, "items: no text extraction for this file type")

// Extractor pulls the text out of an uploaded file, one string per page or slide.
//
// The contract:
//   - Extract returns one entry per page (PDF, page breaks of a document) or
//     slide (presentation), in order, and a single entry for formats without
//     pages. A page without text is an empty string, so len(pages) is the
//     page count.
//   - For a type it does not read it returns an error wrapping
//     ErrUnsupported (never nil, nil). Any other error means the file could
//     not be read (malformed, encrypted, too large, timed out); the service
//     logs it and stores the version without text. An upload never fails
//     because of extraction.
//   - r holds size bytes and is valid only during the call; ReadAt may be
//     called from several goroutines at once. mimeType is the version's
//     media type (it may carry parameters such as charset) and filename its
//     base name; either may be generic (application/octet-stream) or empty.
//   - It must return promptly once ctx is done: the service gives each call
//     Options.ExtractTimeout (one minute by default).
//   - It must be safe for concurrent use: uploads run in parallel.
//   - It should bound its own work and memory. The service keeps at most
//     Options.MaxTextBytes of text per version (2 MiB by default) and at most
//     MaxPages pages; beyond that it truncates. It also replaces invalid
//     UTF-8 and drops NUL bytes, but extractors should return clean,
//     whitespace-normalized text.
//
// The extract package holds the default implementation.
type Extractor interface {
	Extract(ctx context.Context, r io.ReaderAt, size int64, mimeType, filename string) ([]string, error)
}

// MaxPages is the most page texts a version keeps: a version with more
// pages records them all in PageCount but the text of the first MaxPages
// only.
const MaxPages = 10000

// Extraction defaults.
const (
	defaultMaxTextBytes   = 2 << 20
	defaultExtractTimeout = time.Minute
)

// extractText runs the Extractor over a stored blob and returns the pages
// to store and the page count. It never fails: without an Extractor, for an
// unsupported type or on any failure (logged) the version has no text.
func (s *Service) extractText(ctx context.Context, itemID string, blob BlobInfo, mimeType, filename string) ([]string, int) {
	if s.opt.Extractor == nil {
		return nil, 0
	}
	pages, err := s.runExtractor(ctx, blob, mimeType, filename)
	log := s.opt.Logger.With("item", itemID, "blob", blob.Key, "filename", filename, "mime_type", mimeType)
	switch {
	case errors.Is(err, ErrUnsupported):
		log.Debug("items: no text extraction for this file type")
		return nil, 0
	case err != nil:
		log.Warn("items: text extraction failed; the version is stored without text", "err", err)
		return nil, 0
	}
	return limitText(pages, s.opt.MaxTextBytes), len(pages)
}

func (s *Service) runExtractor(ctx context.Context, blob BlobInfo, mimeType, filename string) (pages []string, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.ExtractTimeout)
	defer cancel()
	rc, err := s.blobs.Open(ctx, blob.Key)
	if err != nil {
		return nil, fmt.Errorf("items: open blob for extraction: %w", err)
	}
	defer rc.Close()
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{rs: rc}
	}
	// A panicking Extractor (often a parser library meeting a hostile
	// file) must not take the upload, or the server, down with it.
	defer func() {
		if p := recover(); p != nil {
			pages, err = nil, fmt.Errorf("items: extractor panicked: %v", p)
		}
	}()
	return s.opt.Extractor.Extract(ctx, ra, blob.Size, mimeType, filename)
}

// limitText returns the pages to store: at most MaxPages of them, valid
// UTF-8 without NUL bytes, maxBytes in all. The page holding the limit is
// cut at a rune boundary; the pages after it are empty.
func limitText(pages []string, maxBytes int) []string {
	if len(pages) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(pages), MaxPages))
	left := maxBytes
	for _, p := range pages[:min(len(pages), MaxPages)] {
		cut := len(p) > left
		if cut {
			p = p[:left] // may split a rune: repaired below
		}
		p = strings.ReplaceAll(strings.ToValidUTF8(p, "\uFFFD"), "\x00", "")
		if len(p) > left {
			cut, p = true, truncateUTF8(p, left)
		}
		left -= len(p)
		if cut {
			left = 0
		}
		out = append(out, p)
	}
	return out
}

// truncateUTF8 cuts valid UTF-8 s to at most n bytes without splitting a
// rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// seekReaderAt gives random access to a blob whose reader has no ReadAt,
// by seeking; a mutex makes concurrent ReadAt calls safe. It copies nothing,
// so blobs of any size work without a temporary file or a memory cap.
type seekReaderAt struct {
	mu sync.Mutex
	rs io.ReadSeeker
}

func (r *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(r.rs, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF // ReadAt reports a short read at the end as io.EOF
	}
	return n, err
}
