package extract

import (
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	gtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// readText reads a plain text, Markdown or HTML file: at most
// MaxInputBytes of it, decoded to UTF-8.
func (e *Extractor) readText(f format, r io.ReaderAt, size int64, mimeType string, out *pages) error {
	raw := make([]byte, max(0, min(size, e.opt.MaxInputBytes)))
	n, err := io.ReadFull(io.NewSectionReader(r, 0, int64(len(raw))), raw)
	if err != nil && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("read: %w", err)
	}
	raw = raw[:n]
	if size > e.opt.MaxInputBytes {
		raw = trimPartialRune(raw)
	}
	s := decode(raw, mimeType)
	switch f {
	case plainText:
		// Form feeds separate pages, as in pdftotext's output.
		for i, page := range strings.Split(s, "\f") {
			if i > 0 {
				out.pageBreak()
			}
			out.write(page)
		}
	case markdown:
		out.write(markdownText([]byte(s)))
	case htmlText:
		out.write(htmlVisibleText(s))
	}
	return nil
}

// decode returns b as UTF-8. A byte order mark decides first; then valid
// UTF-8 is taken as such (even when the media type says otherwise: Go's
// extension table says charset=utf-8 for every .txt, so the parameter
// alone proves little); then the media type's charset parameter, an HTML
// <meta> charset, and at last Windows-1252, the web's default for legacy
// text.
func decode(b []byte, mimeType string) string {
	if enc, _, certain := charset.DetermineEncoding(b, ""); certain {
		return decodeWith(enc, b)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	if _, params, err := mime.ParseMediaType(mimeType); err == nil && params["charset"] != "" {
		if enc, name := charset.Lookup(params["charset"]); enc != nil && name != "utf-8" {
			return decodeWith(enc, b)
		}
	}
	enc, _, _ := charset.DetermineEncoding(b, "")
	return decodeWith(enc, b)
}

func decodeWith(enc encoding.Encoding, b []byte) string {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// trimPartialRune drops an incomplete UTF-8 sequence left at the end of b
// by reading only a file's first bytes, so that cutting a UTF-8 file does
// not make it look like another encoding.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// markdownText returns Markdown's text without its markup: headings,
// emphasis and link markup go, link and image texts stay, code blocks and
// code spans keep their content, tables become one line per row, HTML
// blocks give their visible text.
func markdownText(src []byte) string {
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(gtext.NewReader(src))
	var b strings.Builder
	lines := func(n ast.Node) string {
		var s strings.Builder
		for i := 0; i < n.Lines().Len(); i++ {
			seg := n.Lines().At(i)
			s.Write(seg.Value(src))
		}
		return s.String()
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				v := n.Value(src)
				if !n.IsRaw() {
					v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
				}
				b.Write(v)
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte('\n')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if entering {
				b.WriteString(lines(n))
			}
		case *ast.HTMLBlock:
			if entering {
				h := lines(n)
				if n.HasClosure() {
					h += string(n.ClosureLine.Value(src))
				}
				b.WriteString(htmlVisibleText(h))
			}
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil // inline tags
		case *east.TableCell: // a block, but cells share their row's line
			if !entering {
				b.WriteByte('\t')
			}
			return ast.WalkContinue, nil
		}
		if !entering && n.Type() == ast.TypeBlock {
			b.WriteByte('\n')
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// Elements whose content is never shown.
var hiddenElements = map[string]bool{
	"head": true, "script": true, "style": true, "title": true, "noscript": true, "template": true,
	"iframe": true, "object": true, "embed": true, "canvas": true, "svg": true, "select": true, "datalist": true,
}

// Elements that start a new line.
var blockElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true, "caption": true,
	"dd": true, "details": true, "dialog": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "header": true, "hr": true, "li": true, "main": true, "nav": true,
	"ol": true, "p": true, "pre": true, "section": true, "summary": true, "table": true, "tr": true, "ul": true,
}

// htmlVisibleText returns the text a browser shows: entities decoded, the
// content of head, script, style and other hidden elements (and of any
// element with the hidden attribute) dropped, block elements on lines of
// their own, table cells apart. It streams tokens, so a huge or broken
// page costs no tree.
func htmlVisibleText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip, depth := "", 0 // the hidden element being skipped, and its nesting
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == "" {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if skip != "" {
				switch {
				case skip == "head" && tag == "body":
					skip = "" // a missing </head>
				case tag == skip && tt == html.StartTagToken:
					depth++
					continue
				default:
					continue
				}
			}
			if tt == html.StartTagToken && (hiddenElements[tag] || hasAttr && hasHidden(z)) && !voidElements[tag] {
				skip, depth = tag, 1
				continue
			}
			writeBreak(&b, tag)
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skip != "" {
				if tag == skip {
					if depth--; depth == 0 {
						skip = ""
					}
				}
				continue
			}
			writeBreak(&b, tag)
		}
	}
}

// voidElements have no content, so never an end tag to stop skipping at.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

func writeBreak(b *strings.Builder, tag string) {
	switch {
	case blockElements[tag]:
		b.WriteByte('\n')
	case tag == "td" || tag == "th":
		b.WriteByte('\t')
	}
}

// hasHidden reports whether the current tag has the hidden attribute.
func hasHidden(z *html.Tokenizer) bool {
	for {
		key, _, more := z.TagAttr()
		if string(key) == "hidden" {
			return true
		}
		if !more {
			return false
		}
	}
}
