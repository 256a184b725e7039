package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pages collects a file's text page by page, within the byte and page
// limits. Readers write text and break pages; once full, writes are
// dropped and breaks only count pages, so readers that know their page
// count (PDF, PPTX) keep it without reading more text.
type pages struct {
	maxPages int
	left     int // bytes of cleaned text still allowed
	cur      strings.Builder
	list     []string
}

func newPages(maxBytes, maxPages int) *pages {
	return &pages{maxPages: maxPages, left: maxBytes}
}

// write adds text to the current page. Raw text is kept up to a few times
// the bytes left, since cleaning shrinks runs of whitespace.
func (p *pages) write(s string) {
	if p.full() {
		return
	}
	room := 4*p.left + 4096 - p.cur.Len()
	if room <= 0 {
		return
	}
	if len(s) > room {
		s = s[:room] // cleaning repairs a split rune
	}
	p.cur.WriteString(s)
}

// pageBreak ends the current page.
func (p *pages) pageBreak() {
	if p.done() {
		return
	}
	t := clean(p.cur.String())
	p.cur.Reset()
	if len(t) >= p.left {
		t, p.left = truncateUTF8(t, p.left), 0
	} else {
		p.left -= len(t)
	}
	p.list = append(p.list, t)
}

// full reports whether no more text will be kept.
func (p *pages) full() bool { return p.left <= 0 || p.done() }

// done reports whether no more pages will be kept.
func (p *pages) done() bool { return len(p.list) >= p.maxPages }

// empty reports whether the current page has no text yet.
func (p *pages) empty() bool { return strings.TrimSpace(p.cur.String()) == "" }

// result ends the last page, unless it is empty after at least one page.
func (p *pages) result() []string {
	if !p.empty() || len(p.list) == 0 {
		p.pageBreak()
	}
	if p.list == nil {
		return []string{} // only when maxPages is 0
	}
	return p.list
}

// clean normalizes extracted text: valid UTF-8, every run of spaces (tabs,
// no-break spaces and other Unicode spaces) one space, lines trimmed,
// blank lines dropped, control and invisible formatting characters (NUL,
// zero-width space, soft hyphen, byte order mark) removed.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	newline, space := false, false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			newline, space = b.Len() > 0, false
		case unicode.IsSpace(r):
			space = b.Len() > 0 && !newline
		case unicode.IsControl(r) || r == 0xFEFF || r == 0x200B || r == 0x2060 || r == 0x00AD:
		default:
			if newline {
				b.WriteByte('\n')
			} else if space {
				b.WriteByte(' ')
			}
			newline, space = false, false
			b.WriteRune(r)
		}
	}
	return b.String()
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
