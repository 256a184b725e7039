package extract_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/extract"
	"github.com/briefcasehq/briefcase/items"
	"github.com/matryer/is"
)

func run(e *extract.Extractor, data []byte, mimeType, filename string) ([]string, error) {
	return e.Extract(context.Background(), bytes.NewReader(data), int64(len(data)), mimeType, filename)
}

// checkClean fails unless every page is valid UTF-8 without control
// characters other than newlines, runs of spaces or blank lines.
func checkClean(t *testing.T, pages []string) {
	t.Helper()
	for i, p := range pages {
		if !utf8.ValidString(p) {
			t.Fatalf("page %d is not valid UTF-8: %q", i+1, p)
		}
		if strings.Contains(p, "  ") || strings.Contains(p, "\n\n") || strings.Contains(p, "\t") ||
			strings.Contains(p, " \n") || strings.Contains(p, "\n ") || p != strings.TrimSpace(p) {
			t.Fatalf("page %d is not whitespace-normalized: %q", i+1, p)
		}
		for _, r := range p {
			if r < 0x20 && r != '\n' {
				t.Fatalf("page %d holds control character %U: %q", i+1, r, p)
			}
		}
	}
}

func TestText(t *testing.T) {
	e := extract.New(extract.Options{})
	for _, tc := range []struct {
		name, mimeType, filename string
		data                     string
		want                     []string
	}{
		{"one page", "text/plain", "notes.txt", "  Pricing   notes\r\n\r\n\twith tabs \u00a0and no-break spaces\n", []string{"Pricing notes\nwith tabs and no-break spaces"}},
		{"form feeds split pages", "text/plain; charset=utf-8", "report.txt", "page one\fpage two\f\fpage four", []string{"page one", "page two", "", "page four"}},
		{"csv by extension", "application/vnd.ms-excel", "leads.csv", "name,company\nAda,Acme\n", []string{"name,company\nAda,Acme"}},
		{"empty", "text/plain", "empty.txt", " \n\t ", []string{""}},
		{"latin-1 bytes", "text/plain", "old.txt", "caf\xe9 cr\xe8me", []string{"café crème"}},
		{"declared charset", "text/plain; charset=iso-8859-7", "greek.txt", "\xe1\xe2\xe3", []string{"αβγ"}},
		{"utf-16 with BOM", "", "win.txt", "\xff\xfeH\x00i\x00 \x00\xac\x20", []string{"Hi €"}},
		{"utf-8 BOM, controls and invisibles dropped", "text/plain", "x.txt", "\ufeffzero\u200bwidth soft\u00adhyphen nul\x00bell\x07", []string{"zerowidth softhyphen nulbell"}},
		{"sniffed as text/plain", "text/plain; charset=utf-8", "README", "plain words", []string{"plain words"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			pages, err := run(e, []byte(tc.data), tc.mimeType, tc.filename)
			is.NoErr(err)
			is.Equal(pages, tc.want)
			checkClean(t, pages)
		})
	}
}

func TestMarkdown(t *testing.T) {
	is := is.New(t)
	src := "# Battle card: *Acme* vs. **Rival**\n\n" +
		"Our [pricing page](https://example.com/pricing) wins; see <https://example.com/faq>.\n" +
		"Escaped \\*stars\\* &amp; entities &copy; stay text.\n\n" +
		"- point one\n- point `two()`\n\n" +
		"```go\nfunc Pitch() {}\n```\n\n" +
		"| Plan | Seats |\n|------|-------|\n| Pro  | 10    |\n\n" +
		"<div class=\"note\"><b>Heads up:</b> renewals in Q3</div>\n\n" +
		"![diagram of the funnel](funnel.png) and ~~old~~ text.\n"
	pages, err := run(extract.New(extract.Options{}), []byte(src), "text/markdown; charset=utf-8", "card.md")
	is.NoErr(err)
	is.Equal(pages, []string{"Battle card: Acme vs. Rival\n" +
		"Our pricing page wins; see https://example.com/faq.\n" +
		"Escaped *stars* & entities © stay text.\n" +
		"point one\npoint two()\n" +
		"func Pitch() {}\n" +
		"Plan Seats\nPro 10\n" +
		"Heads up: renewals in Q3\n" +
		"diagram of the funnel and old text."})
	checkClean(t, pages)

	// A .md file sent as text/plain is still Markdown.
	pages, err = run(extract.New(extract.Options{}), []byte("## Title\n\n_body_"), "text/plain", "notes.md")
	is.NoErr(err)
	is.Equal(pages, []string{"Title\nbody"})
}

func TestHTML(t *testing.T) {
	e := extract.New(extract.Options{})
	for _, tc := range []struct {
		name, data, want string
	}{
		{"visible text only", `<!DOCTYPE html><html><head><title>Tab title</title><meta charset="utf-8">
<style>body { color: red }</style><script>var secret = "<p>no</p>";</script></head>
<body><h1>Case&nbsp;study</h1><p>Acme &amp; Co. saved <b>30%</b> &mdash; in <i>weeks</i>.</p>
<ul><li>Faster</li><li>Cheaper</li></ul><noscript>Enable JS</noscript>
<div hidden><p>Hidden draft</p></div><template><p>Template</p></template>
<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Pro</td><td>&euro;10</td></tr></table>
Line<br>break<!-- a comment --></body></html>`,
			"Case study\nAcme & Co. saved 30% — in weeks.\nFaster\nCheaper\nPlan Price\nPro €10\nLine\nbreak"},
		{"malformed", `<html><head><title>t</title><body><p>Unclosed <b>bold<div>Block & stray < bracket</p></i>`,
			"Unclosed bold\nBlock & stray < bracket"},
		{"text directly in head is shown once body starts", `<head><meta charset="utf-8"></head>Body text`, "Body text"},
		{"meta charset", "<html><head><meta charset=\"iso-8859-1\"></head><body>Caf\xe9</body></html>", "Café"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			pages, err := run(e, []byte(tc.data), "text/html", "page.html")
			is.NoErr(err)
			is.Equal(pages, []string{tc.want})
			checkClean(t, pages)
		})
	}
}

func TestUnsupported(t *testing.T) {
	e := extract.New(extract.Options{})
	for _, tc := range []struct{ mimeType, filename, data string }{
		{"image/png", "logo.png", "\x89PNG\r\n\x1a\n"},
		{"image/png", "misnamed.txt", "\x89PNG\r\n\x1a\n"}, // an image is never text
		{"video/mp4", "demo.mp4", "\x00\x00\x00\x18ftypmp42"},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "model.xlsx", "PK\x03\x04"},
		{"application/octet-stream", "blob", "\x00\x01\x02"},
		{"application/json", "data.json", "{}"},
		{"", "", ""},
	} {
		t.Run(tc.mimeType+" "+tc.filename, func(t *testing.T) {
			is := is.New(t)
			pages, err := run(e, []byte(tc.data), tc.mimeType, tc.filename)
			is.True(errors.Is(err, items.ErrUnsupported))
			is.Equal(pages, nil)
		})
	}
}

func TestLimits(t *testing.T) {
	is := is.New(t)
	e := extract.New(extract.Options{MaxTextBytes: 12, MaxPages: 3})
	pages, err := run(e, []byte("one two\fthree four five\fsix\fseven\feight"), "text/plain", "a.txt")
	is.NoErr(err)
	// 12 bytes in all, cut inside page two; pages after it empty; 3 pages at most.
	is.Equal(pages, []string{"one two", "three", ""})

	e = extract.New(extract.Options{MaxInputBytes: 4})
	pages, err = run(e, []byte("caf\u00e9 au lait"), "text/plain", "a.txt")
	is.NoErr(err)
	is.Equal(pages, []string{"caf"}) // reading stops at 4 bytes, and the cut é does not make the file Latin-1
}

func TestCancelled(t *testing.T) {
	is := is.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := zipOf(t, docxFiles(para("text")))
	_, err := extract.New(extract.Options{}).Extract(ctx, bytes.NewReader(data), int64(len(data)), docxType, "a.docx")
	is.True(errors.Is(err, context.Canceled))
}
