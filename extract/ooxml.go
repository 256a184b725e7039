package extract

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/net/html/charset"

	"github.com/briefcasehq/briefcase/items"
)

// archive is a DOCX or PPTX package (a zip of XML parts) read within
// limits: the zip's central directory, the number of entries and the
// uncompressed bytes read in all are capped, so a zip bomb or a directory
// of millions of entries fails with ErrTooLarge instead of eating memory.
type archive struct {
	ctx   context.Context
	files map[string]*zip.File // by lower-case name: part names are case-insensitive
	left  int64                // uncompressed bytes still allowed
}

// budgetReaderAt fails once more than left bytes have been read through
// it. It bounds what zip.NewReader reads of the central directory, and so
// the memory it allocates for entries, before any entry can be counted.
type budgetReaderAt struct {
	r        io.ReaderAt
	left     atomic.Int64
	exceeded atomic.Bool
}

var errBudget = errors.New("read budget exceeded")

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left.Add(-int64(len(p))) < 0 {
		b.exceeded.Store(true)
		return 0, errBudget
	}
	return b.r.ReadAt(p, off)
}

func (e *Extractor) openArchive(ctx context.Context, r io.ReaderAt, size int64) (*archive, error) {
	// An entry's directory record takes at least 46 bytes plus its name;
	// real Office files stay far under 512 bytes an entry.
	br := &budgetReaderAt{r: r}
	br.left.Store(64<<10 + int64(e.opt.MaxArchiveEntries)*512)
	zr, err := zip.NewReader(br, size)
	switch {
	case br.exceeded.Load():
		return nil, fmt.Errorf("%w: zip directory larger than %d entries allow", ErrTooLarge, e.opt.MaxArchiveEntries)
	case errors.Is(err, zip.ErrInsecurePath):
		// Names such as ../x only matter when writing files; we never do.
	case err != nil:
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrMalformed, err)
	}
	if len(zr.File) > e.opt.MaxArchiveEntries {
		return nil, fmt.Errorf("%w: %d zip entries (at most %d)", ErrTooLarge, len(zr.File), e.opt.MaxArchiveEntries)
	}
	br.left.Store(1 << 62) // entries are bounded by the uncompressed budget
	a := &archive{ctx: ctx, files: make(map[string]*zip.File, len(zr.File)), left: e.opt.MaxArchiveBytes}
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := a.files[name]; !dup {
			a.files[name] = f
		}
	}
	return a, nil
}

var errNoPart = errors.New("no such part")

// open opens a part for reading, charged to the archive's budget.
func (a *archive) open(name string) (io.ReadCloser, error) {
	f, ok := a.files[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, errNoPart)
	}
	if f.UncompressedSize64 > uint64(a.left) {
		return nil, fmt.Errorf("%w: %s expands to %d bytes, past the %d bytes left to read", ErrTooLarge, name, f.UncompressedSize64, a.left)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	return &partReader{a: a, rc: rc, name: name}, nil
}

// partReader counts the bytes actually inflated (the sizes in the zip
// headers are the file's word, not a fact) and checks the context.
type partReader struct {
	a    *archive
	rc   io.ReadCloser
	name string
}

func (p *partReader) Read(b []byte) (int, error) {
	if err := p.a.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.rc.Read(b)
	p.a.left -= int64(n)
	if p.a.left < 0 {
		return n, fmt.Errorf("%w: %s: more than the archive's uncompressed byte limit", ErrTooLarge, p.name)
	}
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %s: %v", ErrMalformed, p.name, err)
	}
	return n, err
}

func (p *partReader) Close() error { return p.rc.Close() }

// decoder returns a streaming XML decoder over r. encoding/xml expands no
// custom entities, so entity bombs are inert; input size is capped by the
// archive budget.
func decoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// xmlErr keeps budget, context and read errors as they are and calls
// anything else a malformed part.
func xmlErr(part string, err error) error {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMalformed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %s: %v", ErrMalformed, part, err)
}

// relationship is one entry of a part's .rels file.
type relationship struct {
	ID         string `xml:"Id,attr"`
	Type       string `xml:"Type,attr"`
	Target     string `xml:"Target,attr"`
	TargetMode string `xml:"TargetMode,attr"`
}

// rels returns the relationships of part ("" for the package), with
// targets resolved to part names; a missing .rels file has none.
func (a *archive) rels(part string) ([]relationship, error) {
	dir, file := path.Split(part)
	name := dir + "_rels/" + file + ".rels"
	rc, err := a.open(name)
	if errors.Is(err, errNoPart) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var doc struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := decoder(rc).Decode(&doc); err != nil {
		return nil, xmlErr(name, err)
	}
	out := doc.Rels[:0]
	for _, r := range doc.Rels {
		if strings.EqualFold(r.TargetMode, "External") || r.Target == "" {
			continue
		}
		if strings.HasPrefix(r.Target, "/") {
			r.Target = path.Clean(r.Target)[1:]
		} else {
			r.Target = strings.TrimPrefix(path.Join(dir, r.Target), "/")
		}
		out = append(out, r)
	}
	return out, nil
}

// relOfType returns the target of part's first relationship whose type
// ends with /suffix (transitional and strict OOXML differ in the prefix).
func (a *archive) relOfType(part, suffix string) (string, error) {
	rels, err := a.rels(part)
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/"+suffix) {
			return r.Target, nil
		}
	}
	return "", nil
}

// readOOXML reads a DOCX or PPTX, telling them apart by the package's main
// part. sniffed says the file was only recognized as a zip: then a zip
// that is neither (a spreadsheet, a plain archive) is unsupported, not
// malformed.
func (e *Extractor) readOOXML(ctx context.Context, r io.ReaderAt, size int64, sniffed bool, out *pages) error {
	a, err := e.openArchive(ctx, r, size)
	if err != nil {
		return err
	}
	main, err := a.relOfType("", "officeDocument")
	if err != nil {
		return err
	}
	if main == "" {
		main = a.guessMain()
	}
	switch path.Base(strings.ToLower(main)) {
	case "document.xml", "document2.xml":
		return a.readDocx(main, out)
	case "presentation.xml":
		return a.readPptx(main, out)
	}
	if sniffed {
		return fmt.Errorf("a zip archive that is no Word document or PowerPoint presentation: %w", items.ErrUnsupported)
	}
	return fmt.Errorf("%w: no Word document or PowerPoint presentation in the archive", ErrMalformed)
}

// guessMain names the main part of a package without relationships:
// Word's or PowerPoint's usual one, when it or (for a deck) a slide is
// there.
func (a *archive) guessMain() string {
	if _, ok := a.files["word/document.xml"]; ok {
		return "word/document.xml"
	}
	for name := range a.files {
		if name == "ppt/presentation.xml" || slidePart.MatchString(name) {
			return "ppt/presentation.xml"
		}
	}
	return ""
}

// readDocx reads the body of a Word document: paragraphs become lines,
// tabs spaces; an explicit page break (<w:br w:type="page"/>), a
// paragraph's page-break-before and the page breaks Word recorded at its
// last layout (<w:lastRenderedPageBreak/>) start a new page. Breaks with
// no text between them count once, since Word records both the explicit
// break and the rendered one. Deleted text and field codes (w:delText,
// w:instrText) and the fallback copies of text boxes are left out.
func (a *archive) readDocx(part string, out *pages) error {
	rc, err := a.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := decoder(rc)
	skip := 0        // depth inside an element whose text is left out
	inText := false  // inside w:t
	hasText := false // text since the last page break
	pageBreak := func() {
		if hasText {
			out.pageBreak()
			hasText = false
		}
	}
	for !out.full() {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return xmlErr(part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch t.Name.Local {
			case "Fallback":
				skip = 1
			case "t":
				inText = true
			case "tab":
				out.write("\t")
			case "br":
				if attr(t, "type") == "page" {
					pageBreak()
				} else {
					out.write("\n")
				}
			case "cr":
				out.write("\n")
			case "noBreakHyphen":
				out.write("-")
			case "lastRenderedPageBreak":
				pageBreak()
			case "pageBreakBefore":
				if v := attr(t, "val"); v == "" || v == "true" || v == "1" || v == "on" {
					pageBreak()
				}
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				out.write("\n")
			case "tc":
				out.write("\t")
			}
		case xml.CharData:
			if inText && skip == 0 {
				if strings.TrimSpace(string(t)) != "" {
					hasText = true
				}
				out.write(string(t))
			}
		}
	}
	return nil
}

// attr returns the value of t's attribute with this local name, whatever
// its namespace.
func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

var slidePart = regexp.MustCompile(`^ppt/slides/slide([0-9]+)\.xml$`)

// readPptx reads a presentation: one page per slide, in the order of the
// presentation's slide list (ppt/presentation.xml's sldIdLst through its
// relationships), or, when there is no usable list, of the numbers in the
// slide parts' names (slide2 before slide10). Each slide's speaker notes
// follow its text.
func (a *archive) readPptx(part string, out *pages) error {
	slides, err := a.slideOrder(part)
	if err != nil {
		return err
	}
	for _, slide := range slides {
		if out.done() {
			break
		}
		if out.full() { // count the slide without reading it
			out.pageBreak()
			continue
		}
		err := a.drawingText(slide, out)
		if errors.Is(err, errNoPart) {
			out.pageBreak() // listed but missing: an empty page
			continue
		}
		if err != nil {
			return err
		}
		notes, err := a.relOfType(slide, "notesSlide")
		if err != nil {
			return err
		}
		if notes != "" {
			out.write("\n")
			if err := a.drawingText(notes, out); err != nil && !errors.Is(err, errNoPart) {
				return err
			}
		}
		out.pageBreak()
	}
	if len(slides) == 0 {
		out.pageBreak() // a deck without slides is one empty page
	}
	return nil
}

// slideOrder returns the slide parts in presentation order.
func (a *archive) slideOrder(part string) ([]string, error) {
	rels, err := a.rels(part)
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels {
		targets[r.ID] = r.Target
	}
	var slides []string
	if rc, err := a.open(part); err == nil {
		defer rc.Close()
		d := decoder(rc)
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, xmlErr(part, err)
			}
			t, ok := tok.(xml.StartElement)
			if !ok || t.Name.Local != "sldId" {
				continue
			}
			for _, at := range t.Attr {
				// r:id names the relationship; the bare id is a number.
				if at.Name.Local == "id" && at.Name.Space != "" {
					if target, ok := targets[at.Value]; ok && !slices.Contains(slides, target) {
						slides = append(slides, target)
					}
				}
			}
		}
	} else if !errors.Is(err, errNoPart) {
		return nil, err
	}
	if len(slides) > 0 {
		return slides, nil
	}
	type numbered struct {
		n    int
		name string
	}
	var found []numbered
	for name := range a.files {
		if m := slidePart.FindStringSubmatch(name); m != nil {
			n, err := strconv.Atoi(m[1])
			if err == nil {
				found = append(found, numbered{n, name})
			}
		}
	}
	slices.SortFunc(found, func(x, y numbered) int { return x.n - y.n })
	for _, f := range found {
		slides = append(slides, f.name)
	}
	return slides, nil
}

// drawingText writes the text of a slide or notes part: a:t runs, one
// line per a:p paragraph. Slide-number fields and the fallback copies of
// alternate content are left out.
func (a *archive) drawingText(part string, out *pages) error {
	rc, err := a.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := decoder(rc)
	skip, inText := 0, false
	for !out.full() {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return xmlErr(part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch t.Name.Local {
			case "Fallback":
				skip = 1
			case "fld":
				if strings.HasPrefix(attr(t, "type"), "slidenum") {
					skip = 1
				}
			case "t":
				inText = true
			case "br":
				out.write("\n")
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				out.write("\n")
			case "tc":
				out.write("\t")
			}
		case xml.CharData:
			if inText && skip == 0 {
				out.write(string(t))
			}
		}
	}
	return nil
}
