package extract_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase/extract"
	"github.com/briefcasehq/briefcase/items"
	"github.com/matryer/is"
)

func TestDocx(t *testing.T) {
	e := extract.New(extract.Options{})
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"paragraphs are lines, runs join", para("Executive ", "summary") + para("Second  paragraph,", " two runs"),
			[]string{"Executive summary\nSecond paragraph, two runs"}},
		{"explicit page breaks split pages",
			para("Page one") + `<w:p><w:r><w:br w:type="page"/></w:r></w:p>` + para("Page two") +
				`<w:p><w:r><w:t>Still two</w:t><w:br w:type="page"/><w:t>Page three</w:t></w:r></w:p>`,
			[]string{"Page one", "Page two\nStill two", "Page three"}},
		{"rendered and explicit breaks together count once",
			para("Intro") + `<w:p><w:r><w:br w:type="page"/></w:r></w:p>` +
				`<w:p><w:r><w:lastRenderedPageBreak/><w:t>Pricing</w:t></w:r></w:p>` +
				`<w:p><w:r><w:t>long text that flowed</w:t></w:r><w:r><w:lastRenderedPageBreak/><w:t>onto page three</w:t></w:r></w:p>`,
			[]string{"Intro", "Pricing\nlong text that flowed", "onto page three"}},
		{"page break before a paragraph", para("Cover") + `<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>Agenda</w:t></w:r></w:p>`,
			[]string{"Cover", "Agenda"}},
		{"tabs, line breaks, tables",
			`<w:p><w:r><w:t>Name</w:t><w:tab/><w:t>Role</w:t><w:br/><w:t>next line</w:t></w:r></w:p>` +
				`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cell B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`,
			[]string{"Name Role\nnext line\nCell A\nCell B"}},
		{"deletions, field codes and fallback copies left out",
			`<w:p><w:del w:id="1" w:author="Ed"><w:r><w:delText>removed</w:delText></w:r></w:del><w:ins w:id="2" w:author="Ed"><w:r><w:t>added</w:t></w:r></w:ins>` +
				`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>` +
				`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Text box</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>` +
				`<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Text box</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`,
			[]string{"added7\nText box"}},
		{"entities and unicode", para("R&amp;D &lt;team&gt; — naïve café"), []string{"R&D <team> — naïve café"}},
		{"empty body", "", []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			pages, err := run(e, zipOf(t, docxFiles(tc.body)), docxType, "brief.docx")
			is.NoErr(err)
			is.Equal(pages, tc.want)
			checkClean(t, pages)
		})
	}
}

func TestDocxFoundByContent(t *testing.T) {
	is := is.New(t)
	data := zipOf(t, docxFiles(para("Found inside a zip")))
	for _, tc := range []struct{ mimeType, filename string }{
		{"application/octet-stream", "download"},
		{"application/zip", "brief.zip"},
		{"", "brief.docx"},
	} {
		pages, err := run(extract.New(extract.Options{}), data, tc.mimeType, tc.filename)
		is.NoErr(err)
		is.Equal(pages, []string{"Found inside a zip"})
	}
	// A zip that is neither DOCX nor PPTX is unsupported when only its
	// content said zip, malformed when its name or type said DOCX.
	plain := zipOf(t, map[string]string{"readme.txt": "hello"})
	_, err := run(extract.New(extract.Options{}), plain, "application/zip", "archive.zip")
	is.True(errors.Is(err, items.ErrUnsupported))
	_, err = run(extract.New(extract.Options{}), plain, docxType, "brief.docx")
	is.True(errors.Is(err, extract.ErrMalformed))
}

// elevenSlides is a deck whose slide numbers sort differently as text
// (1, 10, 11, 2, ...) and as numbers.
func elevenSlides() []slide {
	var s []slide
	for n := 1; n <= 11; n++ {
		s = append(s, slide{title: fmt.Sprintf("Slide %d title", n), body: fmt.Sprintf("Body %d", n)})
	}
	s[1].notes = "Speaker notes: pause for questions"
	s[10].notes = "Close with the ROI number"
	return s
}

func wantEleven(order []int) []string {
	var want []string
	for _, n := range order {
		w := fmt.Sprintf("Slide %d title\nBody %d", n, n)
		switch n {
		case 2:
			w += "\nSpeaker notes: pause for questions"
		case 11:
			w += "\nClose with the ROI number"
		}
		want = append(want, w)
	}
	return want
}

func TestPptx(t *testing.T) {
	e := extract.New(extract.Options{})
	inOrder := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

	t.Run("slide order from the presentation, notes appended", func(t *testing.T) {
		is := is.New(t)
		pages, err := run(e, zipOf(t, pptxFiles(elevenSlides(), nil)), pptxType, "deck.pptx")
		is.NoErr(err)
		is.Equal(pages, wantEleven(inOrder)) // slide numbers and the master left out
		checkClean(t, pages)
	})

	t.Run("a reordered deck follows the presentation's list", func(t *testing.T) {
		is := is.New(t)
		order := []int{3, 1, 2, 11, 10, 9, 8, 7, 6, 5, 4}
		pages, err := run(e, zipOf(t, pptxFiles(elevenSlides(), order)), pptxType, "deck.pptx")
		is.NoErr(err)
		is.Equal(pages, wantEleven(order))
	})

	t.Run("without a slide list, numeric order of the part names", func(t *testing.T) {
		is := is.New(t)
		files := pptxFiles(elevenSlides(), nil)
		files["ppt/presentation.xml"] = `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`
		pages, err := run(e, zipOf(t, files), pptxType, "deck.pptx")
		is.NoErr(err)
		is.Equal(pages, wantEleven(inOrder))

		delete(files, "ppt/presentation.xml")
		delete(files, "_rels/.rels")
		pages, err = run(e, zipOf(t, files), "", "deck.pptx")
		is.NoErr(err)
		is.Equal(pages, wantEleven(inOrder))
	})

	t.Run("a listed slide that is missing is an empty page", func(t *testing.T) {
		is := is.New(t)
		files := pptxFiles(elevenSlides()[:3], nil)
		delete(files, "ppt/slides/slide2.xml")
		pages, err := run(e, zipOf(t, files), pptxType, "deck.pptx")
		is.NoErr(err)
		is.Equal(pages, []string{"Slide 1 title\nBody 1", "", "Slide 3 title\nBody 3"})
	})

	t.Run("past the text limit slides are counted, not read", func(t *testing.T) {
		is := is.New(t)
		pages, err := run(extract.New(extract.Options{MaxTextBytes: 30}), zipOf(t, pptxFiles(elevenSlides(), nil)), pptxType, "deck.pptx")
		is.NoErr(err)
		is.Equal(len(pages), 11)
		is.Equal(pages[0], "Slide 1 title\nBody 1")
		is.Equal(pages[1], "Slide 2 ti") // 30 bytes in all
		is.Equal(pages[10], "")
	})
}

func TestOOXMLMalformed(t *testing.T) {
	e := extract.New(extract.Options{})
	good := zipOf(t, docxFiles(para("text")))
	deck := zipOf(t, pptxFiles(elevenSlides(), nil))
	for _, tc := range []struct {
		name, mimeType, filename string
		data                     []byte
	}{
		{"truncated docx", docxType, "a.docx", good[:len(good)/2]},
		{"truncated pptx", pptxType, "a.pptx", deck[:len(deck)-30]},
		{"not a zip", docxType, "a.docx", []byte("this is not a zip file at all")},
		{"empty", docxType, "a.docx", nil},
		{"bad XML", docxType, "a.docx", zipOf(t, map[string]string{"word/document.xml": "<w:document><w:body><w:p>unclosed"})},
		{"mismatched tags", pptxType, "a.pptx", zipOf(t, map[string]string{"ppt/presentation.xml": "<a></b>"})},
		{"bad relationships", docxType, "a.docx", zipOf(t, map[string]string{"_rels/.rels": "<Relationships><", "word/document.xml": "<w:document/>"})},
		{"corrupt entry", docxType, "a.docx", corruptEntry(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			pages, err := run(e, tc.data, tc.mimeType, tc.filename)
			is.True(errors.Is(err, extract.ErrMalformed)) // a clear error, not a panic
			is.Equal(pages, nil)
		})
	}
}

// corruptEntry returns a DOCX whose document part fails its checksum.
func corruptEntry(t *testing.T) []byte {
	data := zipOf(t, docxFiles(para(strings.Repeat("checksummed text ", 50))))
	i := bytes.Index(data, []byte("word/document.xml"))
	data[i+len("word/document.xml")+40] ^= 0xff // inside the compressed data
	return data
}

func TestZipBomb(t *testing.T) {
	t.Run("one part inflating past the limit", func(t *testing.T) {
		is := is.New(t)
		// About 100 kB of zip inflating to 100 MiB, against the default 64 MiB.
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.Create("word/document.xml")
		is.NoErr(err)
		chunk := bytes.Repeat([]byte("<w:p/>"), 1<<20/6)
		for n := 0; n < 100; n++ {
			_, err = w.Write(chunk)
			is.NoErr(err)
		}
		is.NoErr(zw.Close())
		is.True(buf.Len() < 1<<20)
		_, err = run(extract.New(extract.Options{}), buf.Bytes(), docxType, "bomb.docx")
		is.True(errors.Is(err, extract.ErrTooLarge))
	})

	t.Run("parts that add up past the limit", func(t *testing.T) {
		is := is.New(t)
		slides := elevenSlides()
		for i := range slides {
			slides[i].body = strings.Repeat("padding ", 20000) // 160 kB a slide
		}
		_, err := run(extract.New(extract.Options{MaxArchiveBytes: 1 << 20}), zipOf(t, pptxFiles(slides, nil)), pptxType, "big.pptx")
		is.True(errors.Is(err, extract.ErrTooLarge))
	})

	t.Run("a part whose header lies about its size", func(t *testing.T) {
		is := is.New(t)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Store, CompressedSize64: 5000, UncompressedSize64: 10})
		is.NoErr(err)
		_, err = w.Write(bytes.Repeat([]byte("a"), 5000))
		is.NoErr(err)
		is.NoErr(zw.Close())
		_, err = run(extract.New(extract.Options{}), buf.Bytes(), docxType, "liar.docx")
		is.True(errors.Is(err, extract.ErrMalformed)) // archive/zip checks the size it was told
	})

	t.Run("too many entries", func(t *testing.T) {
		is := is.New(t)
		files := docxFiles(para("x"))
		for i := range 50 {
			files[fmt.Sprintf("word/media/image%d.png", i)] = "png"
		}
		_, err := run(extract.New(extract.Options{MaxArchiveEntries: 20}), zipOf(t, files), docxType, "many.docx")
		is.True(errors.Is(err, extract.ErrTooLarge))
	})

	t.Run("a central directory too large for the entry limit", func(t *testing.T) {
		is := is.New(t)
		files := docxFiles(para("x"))
		for i := range 1000 { // long names: a large directory of few entries
			files[fmt.Sprintf("word/media/%s%d.png", strings.Repeat("n", 200), i)] = ""
		}
		_, err := run(extract.New(extract.Options{MaxArchiveEntries: 20}), zipOf(t, files), docxType, "dir.docx")
		is.True(errors.Is(err, extract.ErrTooLarge))
	})
}
