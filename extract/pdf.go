package extract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
)

// readPDF reads a PDF with pdftotext when it is installed (poppler reads
// far more PDFs, and lays text out better, than any pure-Go library), and
// with the pure-Go reader otherwise.
func (e *Extractor) readPDF(ctx context.Context, r io.ReaderAt, size int64, out *pages) error {
	if e.pdftotext != "" {
		return e.readPDFToText(ctx, r, size, out)
	}
	return e.readPDFGo(ctx, r, size, out)
}

// readPDFToText runs `pdftotext -layout` and splits its output into pages
// at the form feed that ends each page. The output is streamed: past the
// text limit it is only counted, so the page count stays right.
func (e *Extractor) readPDFToText(ctx context.Context, r io.ReaderAt, size int64, out *pages) error {
	name, cleanup, err := e.pdfPath(ctx, r, size)
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := exec.CommandContext(ctx, e.pdftotext, "-layout", "-enc", "UTF-8", "-l", strconv.Itoa(e.opt.MaxPages), name, "-")
	stderr := &headBuffer{max: 2048}
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second // pipes closed this long after a kill, whatever a child holds
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("pdftotext: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pdftotext: %w", err)
	}
	readErr := splitPages(stdout, out)
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case waitErr != nil:
		return fmt.Errorf("%w: pdftotext: %v: %s", ErrMalformed, waitErr, strings.TrimSpace(stderr.String()))
	case readErr != nil:
		return fmt.Errorf("pdftotext output: %w", readErr)
	}
	return nil
}

// splitPages writes r to out, breaking pages at form feeds.
func splitPages(r io.Reader, out *pages) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		chunk := buf[:n]
		for {
			i := bytes.IndexByte(chunk, '\f')
			if i < 0 {
				break
			}
			out.write(string(chunk[:i]))
			out.pageBreak()
			chunk = chunk[i+1:]
		}
		out.write(string(chunk))
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// pdfPath returns a file name pdftotext can open: the blob's own file when
// r is one, a temporary copy otherwise.
func (e *Extractor) pdfPath(ctx context.Context, r io.ReaderAt, size int64) (string, func(), error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() == size {
			name := f.Name()
			if strings.HasPrefix(name, "-") {
				name = "./" + name // not an option
			}
			return name, func() {}, nil
		}
	}
	tmp, err := os.CreateTemp(e.opt.TempDir, "briefcase-extract-*.pdf")
	if err != nil {
		return "", nil, fmt.Errorf("pdf: temporary copy: %w", err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	_, err = io.Copy(tmp, &ctxReader{ctx: ctx, r: io.NewSectionReader(r, 0, size)})
	if err == nil {
		err = tmp.Close()
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("pdf: temporary copy: %w", err)
	}
	return tmp.Name(), cleanup, nil
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

// readPDFGo reads a PDF with the pure-Go reader. The library can be
// neither cancelled nor trusted not to panic on a hostile file, so it runs
// in its own goroutine behind a recover: a deadline ends the wait at once,
// and the goroutine stops at the next page (it checks ctx between pages)
// or at its next read, which fails once the caller has closed r.
func (e *Extractor) readPDFGo(ctx context.Context, r io.ReaderAt, size int64, out *pages) error {
	type result struct {
		pages []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		p := newPages(e.opt.MaxTextBytes, e.opt.MaxPages)
		err := readPDFPages(ctx, r, size, p)
		done <- result{p.result(), err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return res.err
		}
		out.list = res.pages
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func readPDFPages(ctx context.Context, r io.ReaderAt, size int64, out *pages) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: pdf reader: %v", ErrMalformed, p)
		}
	}()
	rd, err := pdf.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	list := pageList(rd, out.maxPages)
	if len(list) == 0 {
		return fmt.Errorf("%w: no pages", ErrMalformed)
	}
	var pageErr error
	read := 0
	for _, pg := range list {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !out.full() {
			text, err := pageText(pg)
			if err != nil {
				pageErr = err
			} else {
				read++
			}
			out.write(text)
		}
		out.pageBreak()
	}
	if read == 0 && pageErr != nil {
		return pageErr
	}
	return nil
}

// pageList walks the page tree once (the library's Page(i) walks it for
// every page and caches nothing) and returns at most max pages. It visits
// a bounded number of nodes, so a tree that loops ends.
func pageList(rd *pdf.Reader, max int) []pdf.Page {
	var list []pdf.Page
	visits := 0
	var walk func(v pdf.Value)
	walk = func(v pdf.Value) {
		visits++
		if len(list) >= max || visits > 4*max+1000 {
			return
		}
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Pages" || kids.Kind() == pdf.Array {
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i))
			}
			return
		}
		if v.Kind() == pdf.Dict {
			list = append(list, pdf.Page{V: v})
		}
	}
	walk(rd.Trailer().Key("Root").Key("Pages"))
	return list
}

// pageText returns a page's text. It interprets the page's text operators
// over the library's parser, fonts and encodings (the library's own
// GetPlainText glues the words of most typeset PDFs together, and its
// Content re-reads each font's widths for every glyph, which takes seconds
// a page). Glyph widths are not needed: a move to another line starts a
// line; a move along the line, a new text object on it, or a gap in a TJ
// array wider than a fifth of the font size is a space.
func pageText(pg pdf.Page) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("%w: page: %v", ErrMalformed, p)
		}
	}()
	contents := pg.V.Key("Contents")
	if contents.Kind() == pdf.Null {
		return "", nil
	}
	fonts := map[string]pdf.TextEncoding{}
	var (
		b            strings.Builder
		enc          pdf.TextEncoding
		size         float64
		leading      float64
		identity     = [6]float64{1, 0, 0, 1, 0, 0}
		lm, m        = identity, identity // text line matrix and text matrix
		lastY        float64
		shown, moved bool
	)
	show := func(s string) {
		if shown {
			h := math.Abs(size * m[3])
			if h == 0 {
				h = 1
			}
			switch {
			case math.Abs(m[5]-lastY) > 0.5*h:
				b.WriteByte('\n')
			case moved:
				b.WriteByte(' ')
			}
		}
		if enc != nil {
			s = enc.Decode(s)
		}
		b.WriteString(s)
		shown, moved, lastY = true, false, m[5]
	}
	move := func(tx, ty float64) {
		lm[4] += tx*lm[0] + ty*lm[2]
		lm[5] += tx*lm[1] + ty*lm[3]
		m, moved = lm, true
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		arg := func(i int) pdf.Value {
			if i < len(args) {
				return args[i]
			}
			return pdf.Value{}
		}
		switch op {
		case "BT":
			lm, m, moved = identity, identity, true
		case "Tf":
			name := arg(0).Name()
			e, ok := fonts[name]
			if !ok {
				f := pg.Font(name)
				e = f.Encoder()
				fonts[name] = e
			}
			enc, size = e, arg(1).Float64()
		case "TL":
			leading = arg(0).Float64()
		case "TD":
			leading = -arg(1).Float64()
			move(arg(0).Float64(), arg(1).Float64())
		case "Td":
			move(arg(0).Float64(), arg(1).Float64())
		case "Tm":
			if len(args) == 6 {
				for i := range lm {
					lm[i] = args[i].Float64()
				}
				m, moved = lm, true
			}
		case "T*":
			move(0, -leading)
		case "Tj":
			show(arg(0).RawString())
		case "'":
			move(0, -leading)
			show(arg(0).RawString())
		case "\"":
			move(0, -leading)
			show(arg(2).RawString())
		case "TJ":
			a := arg(0)
			for i := 0; i < a.Len(); i++ {
				switch x := a.Index(i); x.Kind() {
				case pdf.String:
					show(x.RawString())
				case pdf.Integer, pdf.Real:
					if x.Float64() < -200 { // thousandths of the font size
						moved = true
					}
				}
			}
		}
	})
	return b.String(), nil
}
