package extract_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/extract"
	"github.com/briefcasehq/briefcase/items"
)

// FuzzOOXML feeds arbitrary bytes to the DOCX and PPTX readers: they must
// answer, without panicking or hanging, either clean text within the
// limits or one of the package's errors.
func FuzzOOXML(f *testing.F) {
	f.Add(zipOf(f, docxFiles(para("Page one")+`<w:p><w:r><w:br w:type="page"/><w:t>two</w:t></w:r></w:p>`)))
	f.Add(zipOf(f, pptxFiles(elevenSlides()[:3], nil)))
	f.Add(zipOf(f, map[string]string{"ppt/slides/slide1.xml": "<p:sld><a:t>x</a:t></p:sld>"}))
	f.Add([]byte("PK\x03\x04"))
	const maxText = 4096
	e := extract.New(extract.Options{MaxArchiveBytes: 1 << 20, MaxTextBytes: maxText})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mimeType := range []string{docxType, pptxType, "application/zip"} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			pages, err := e.Extract(ctx, bytes.NewReader(data), int64(len(data)), mimeType, "")
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%s: extraction did not finish: %v", mimeType, err)
			}
			if err != nil {
				if !errors.Is(err, extract.ErrMalformed) && !errors.Is(err, extract.ErrTooLarge) && !errors.Is(err, items.ErrUnsupported) {
					t.Fatalf("%s: unexpected error: %v", mimeType, err)
				}
				continue
			}
			checkClean(t, pages)
			total := 0
			for _, p := range pages {
				total += len(p)
			}
			if total > maxText || len(pages) == 0 {
				t.Fatalf("%s: %d pages, %d bytes of text (limit %d)", mimeType, len(pages), total, maxText)
			}
		}
	})
}

// FuzzText does the same for plain text, Markdown and HTML, which never
// fail.
func FuzzText(f *testing.F) {
	f.Add([]byte("# Title\n\n*emphasis* [link](x) `code`\n\n<div>html</div>\f| a | b |\n|---|---|\n| 1 | 2 |"))
	f.Add([]byte("<html><head><title>t</title><script>x</script></head><body><p>Hi &amp; bye<table><td>c</table>"))
	f.Add([]byte("\xff\xfeH\x00i\x00"))
	e := extract.New(extract.Options{MaxTextBytes: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mimeType := range []string{"text/plain", "text/markdown", "text/html"} {
			pages, err := run(e, data, mimeType, "")
			if err != nil {
				t.Fatalf("%s: %v", mimeType, err)
			}
			checkClean(t, pages)
		}
	})
}
