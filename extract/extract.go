package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os/exec"
	"path"
	"strings"

	"github.com/briefcasehq/briefcase/items"
)

// Errors returned by Extract besides items.ErrUnsupported, always wrapped
// in an error that names the package, the format and the file.
var (
	// ErrMalformed: the file is not a valid file of its type (truncated,
	// corrupt, encrypted, not what its name says).
	ErrMalformed = errors.New("malformed file")
	// ErrTooLarge: the file goes past a limit set to stop zip bombs and
	// hostile files (Options.MaxArchiveBytes, MaxArchiveEntries).
	ErrTooLarge = errors.New("file past the extraction limits")
)

// Options configure an Extractor. Zero fields take defaults.
type Options struct {
	// PDFToText is the pdftotext command (poppler-utils) that reads PDFs;
	// empty means "pdftotext" found on PATH when New runs. Without it PDFs
	// are read by a pure-Go reader.
	PDFToText string
	// NoPDFToText reads PDFs with the pure-Go reader even when pdftotext is
	// installed.
	NoPDFToText bool
	// TempDir is where a PDF is copied for pdftotext when it is not already
	// a file; os.TempDir() by default.
	TempDir string
	// MaxTextBytes caps the text returned for one file, all pages together;
	// 2 MiB by default, the items service's own cap. Extraction stops
	// reading text once it is reached (later pages or slides are empty).
	MaxTextBytes int
	// MaxPages caps the pages or slides read; items.MaxPages by default.
	MaxPages int
	// MaxInputBytes caps how much of a text, Markdown or HTML file is read;
	// 16 MiB by default.
	MaxInputBytes int64
	// MaxArchiveBytes caps the uncompressed bytes read from one DOCX or
	// PPTX, all parts together; 64 MiB by default.
	MaxArchiveBytes int64
	// MaxArchiveEntries caps the number of files inside a DOCX or PPTX;
	// 10,000 by default.
	MaxArchiveEntries int
}

// Extractor reads the text of plain text, Markdown, HTML, DOCX, PPTX and
// PDF files. It holds only its configuration and is safe for concurrent
// use.
type Extractor struct {
	opt       Options
	pdftotext string // empty: the pure-Go PDF reader
}

var _ items.Extractor = (*Extractor)(nil)

// New returns an Extractor. It looks pdftotext up once, here, unless
// Options.NoPDFToText is set.
func New(opt Options) *Extractor {
	if opt.MaxTextBytes <= 0 {
		opt.MaxTextBytes = 2 << 20
	}
	if opt.MaxPages <= 0 {
		opt.MaxPages = items.MaxPages
	}
	if opt.MaxInputBytes <= 0 {
		opt.MaxInputBytes = 16 << 20
	}
	if opt.MaxArchiveBytes <= 0 {
		opt.MaxArchiveBytes = 64 << 20
	}
	if opt.MaxArchiveEntries <= 0 {
		opt.MaxArchiveEntries = 10000
	}
	e := &Extractor{opt: opt}
	if !opt.NoPDFToText {
		cmd := opt.PDFToText
		if cmd == "" {
			cmd = "pdftotext"
		}
		if p, err := exec.LookPath(cmd); err == nil {
			e.pdftotext = p
		}
	}
	return e
}

// UsesPDFToText reports whether PDFs go through pdftotext rather than the
// pure-Go reader.
func (e *Extractor) UsesPDFToText() bool { return e.pdftotext != "" }

// format is a file format Extract reads.
type format int

const (
	unknown format = iota
	plainText
	markdown
	htmlText
	pdfFile
	ooxml   // DOCX or PPTX: the archive's main part tells which
	zipFile // a zip of unknown kind: maybe DOCX or PPTX
)

var formatNames = map[format]string{plainText: "text", markdown: "markdown", htmlText: "html", pdfFile: "pdf",
	ooxml: "docx/pptx", zipFile: "zip"}

func (f format) String() string { return formatNames[f] }

var byMIME = map[string]format{
	"text/csv":                  plainText,
	"text/tab-separated-values": plainText,
	"text/markdown":             markdown,
	"text/x-markdown":           markdown,
	"text/html":                 htmlText,
	"application/xhtml+xml":     htmlText,
	"application/pdf":           pdfFile,
	"application/x-pdf":         pdfFile,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ooxml,
	"application/vnd.ms-word.document.macroenabled.12":                          ooxml,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ooxml,
	"application/vnd.openxmlformats-officedocument.presentationml.slideshow":    ooxml,
	"application/vnd.ms-powerpoint.presentation.macroenabled.12":                ooxml,
}

var byExtension = map[string]format{
	".txt": plainText, ".text": plainText, ".csv": plainText, ".tsv": plainText,
	".md": markdown, ".markdown": markdown,
	".html": htmlText, ".htm": htmlText, ".xhtml": htmlText,
	".pdf":  pdfFile,
	".docx": ooxml, ".docm": ooxml, ".pptx": ooxml, ".pptm": ooxml, ".ppsx": ooxml,
}

// genericTypes say nothing about the format.
var genericTypes = map[string]bool{"": true, "text/plain": true, "application/octet-stream": true,
	"application/zip": true, "application/x-zip-compressed": true}

// detect picks the format from the media type, then the file name's
// extension, then the first bytes. A specific media type wins; otherwise
// the extension decides, so notes.md sent as text/plain is read as
// Markdown and a .csv sent as application/vnd.ms-excel as text. An image,
// video, audio or font type is never read as text, whatever its name.
func detect(mimeType, filename string, head []byte) format {
	mt, _, err := mime.ParseMediaType(mimeType)
	if err != nil {
		mt = ""
	}
	switch strings.SplitN(mt, "/", 2)[0] {
	case "image", "video", "audio", "font":
		return unknown
	}
	if f, ok := byMIME[mt]; ok {
		return f
	}
	if f, ok := byExtension[strings.ToLower(path.Ext(filename))]; ok {
		return f
	}
	switch {
	case !genericTypes[mt]:
		return unknown
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return pdfFile
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return zipFile
	case mt == "text/plain":
		return plainText
	}
	return unknown
}

// Extract returns the text of the file in r, one string per page or slide,
// whitespace-normalized valid UTF-8. It answers items.ErrUnsupported
// (wrapped) for types it does not read, ErrMalformed or ErrTooLarge
// (wrapped) for files it cannot read, and ctx's error once ctx is done.
func (e *Extractor) Extract(ctx context.Context, r io.ReaderAt, size int64, mimeType, filename string) ([]string, error) {
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	f := detect(mimeType, filename, head[:n])
	if f == unknown {
		return nil, fmt.Errorf("extract: %q (%s): %w", filename, mimeType, items.ErrUnsupported)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := newPages(e.opt.MaxTextBytes, e.opt.MaxPages)
	var err error
	switch f {
	case plainText, markdown, htmlText:
		err = e.readText(f, r, size, mimeType, out)
	case pdfFile:
		err = e.readPDF(ctx, r, size, out)
	case ooxml, zipFile:
		err = e.readOOXML(ctx, r, size, f == zipFile, out)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("extract: %s %q: %w", f, filename, ctx.Err())
		}
		return nil, fmt.Errorf("extract: %s %q: %w", f, filename, err)
	}
	return out.result(), nil
}
