package extract_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/extract"
	"github.com/matryer/is"
)

// pdfPaths returns the two ways PDFs are read: pdftotext and the pure-Go
// reader. Subtests of the pdftotext path call skipWithoutPDFToText.
func pdfPaths() map[string]extract.Options {
	return map[string]extract.Options{"pure Go": {NoPDFToText: true}, "pdftotext": {}}
}

// skipWithoutPDFToText skips the pdftotext path where poppler-utils is not
// installed, saying so.
func skipWithoutPDFToText(t *testing.T, opt extract.Options) {
	t.Helper()
	if !opt.NoPDFToText && !extract.New(opt).UsesPDFToText() {
		if os.Getenv("BRIEFCASE_TEST_REQUIRE_PDFTOTEXT") != "" {
			t.Fatal("pdftotext is required here (BRIEFCASE_TEST_REQUIRE_PDFTOTEXT is set) but not installed")
		}
		t.Skip("pdftotext is not installed (apt-get install poppler-utils): its path is untested here")
	}
}

func wantPDF() []string {
	var want []string
	for _, p := range pdfPages {
		want = append(want, p.want)
	}
	return want
}

func TestPDF(t *testing.T) {
	data := pdfOf(t)
	for name, opt := range pdfPaths() {
		t.Run(name, func(t *testing.T) {
			skipWithoutPDFToText(t, opt)
			is := is.New(t)
			e := extract.New(opt)
			is.Equal(e.UsesPDFToText(), name == "pdftotext")
			pages, err := run(e, data, "application/pdf", "deck.pdf")
			is.NoErr(err)
			is.Equal(pages, wantPDF()) // one string per page
			checkClean(t, pages)

			// From a file, as blobs on disk are read, and found by content.
			path := filepath.Join(t.TempDir(), "-deck.pdf")
			is.NoErr(os.WriteFile(path, data, 0o600))
			f, err := os.Open(path)
			is.NoErr(err)
			defer f.Close()
			pages, err = e.Extract(context.Background(), f, int64(len(data)), "application/octet-stream", "upload")
			is.NoErr(err)
			is.Equal(pages, wantPDF())

			// Limits: at most MaxPages pages; past the text limit pages
			// are counted, not read.
			pages, err = run(extract.New(withLimits(opt, 0, 2)), data, "application/pdf", "deck.pdf")
			is.NoErr(err)
			is.Equal(pages, wantPDF()[:2])
			pages, err = run(extract.New(withLimits(opt, 30, 0)), data, "application/pdf", "deck.pdf")
			is.NoErr(err)
			is.Equal(pages, []string{pdfPages[0].want[:30], "", ""})
		})
	}
}

func withLimits(opt extract.Options, maxText, maxPages int) extract.Options {
	opt.MaxTextBytes, opt.MaxPages = maxText, maxPages
	return opt
}

func TestPDFMalformed(t *testing.T) {
	data := pdfOf(t)
	for name, opt := range pdfPaths() {
		t.Run(name, func(t *testing.T) {
			skipWithoutPDFToText(t, opt)
			e := extract.New(opt)
			for _, tc := range []struct {
				name string
				data []byte
			}{
				{"garbage", []byte("%PDF-1.7\nthis is not a pdf\n%%EOF\n")},
				{"empty", nil},
				{"header only", []byte("%PDF-")},
				{"no trailer", data[:len(data)-200]},
			} {
				t.Run(tc.name, func(t *testing.T) {
					is := is.New(t)
					pages, err := run(e, tc.data, "application/pdf", "broken.pdf")
					is.True(errors.Is(err, extract.ErrMalformed)) // a clear error
					is.Equal(pages, nil)
				})
			}
		})
	}
	// However a file is cut, the pure-Go path answers without panicking.
	e := extract.New(extract.Options{NoPDFToText: true})
	for n := 0; n < len(data); n += len(data)/97 + 1 {
		pages, err := run(e, data[:n], "application/pdf", "cut.pdf")
		if err == nil {
			checkClean(t, pages)
		}
	}
}

func TestPDFToTextCommand(t *testing.T) {
	data := pdfOf(t)
	script := func(t *testing.T, body string) string {
		path := filepath.Join(t.TempDir(), "fake-pdftotext")
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("missing command falls back to Go", func(t *testing.T) {
		is := is.New(t)
		e := extract.New(extract.Options{PDFToText: "no-such-pdftotext-command"})
		is.True(!e.UsesPDFToText())
		pages, err := run(e, data, "application/pdf", "deck.pdf")
		is.NoErr(err)
		is.Equal(pages, wantPDF())
	})

	t.Run("its errors are malformed files, with its message", func(t *testing.T) {
		is := is.New(t)
		e := extract.New(extract.Options{PDFToText: script(t, `echo "Syntax Error: Couldn't find trailer dictionary" >&2; exit 1`)})
		is.True(e.UsesPDFToText())
		_, err := run(e, data, "application/pdf", "deck.pdf")
		is.True(errors.Is(err, extract.ErrMalformed))
		is.True(strings.Contains(err.Error(), "Couldn't find trailer dictionary"))
	})

	t.Run("the deadline kills it", func(t *testing.T) {
		is := is.New(t)
		e := extract.New(extract.Options{PDFToText: script(t, "exec sleep 60")})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := e.Extract(ctx, bytes.NewReader(data), int64(len(data)), "application/pdf", "deck.pdf")
		is.True(errors.Is(err, context.DeadlineExceeded))
		is.True(time.Since(start) < 30*time.Second) // killed, not waited for
	})

	t.Run("page breaks are form feeds", func(t *testing.T) {
		is := is.New(t)
		e := extract.New(extract.Options{PDFToText: script(t, `printf 'one\n\fcolumn   a     column b\n\f\f'`)})
		pages, err := run(e, data, "application/pdf", "deck.pdf")
		is.NoErr(err)
		is.Equal(pages, []string{"one", "column a column b", ""})
	})
}
