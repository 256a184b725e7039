package render_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/render"
	"github.com/briefcasehq/briefcase/share"
	"github.com/go-pdf/fpdf"
	"github.com/matryer/is"
)

// needPDFToPPM skips a test that runs the real pdftoppm where poppler-utils
// is not installed, saying so; CI sets BRIEFCASE_TEST_REQUIRE_PDFTOTEXT
// (poppler-utils brings both commands), and then a missing pdftoppm fails.
func needPDFToPPM(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("BRIEFCASE_TEST_REQUIRE_PDFTOTEXT") != "" {
			t.Fatal("pdftoppm is required here (BRIEFCASE_TEST_REQUIRE_PDFTOTEXT is set) but not installed")
		}
		t.Skip("pdftoppm is not installed (apt-get install poppler-utils): page images are untested here")
	}
}

// newPDF returns a renderer over the real pdftoppm.
func newPDF(t testing.TB, opt render.Options) *render.PDF {
	t.Helper()
	needPDFToPPM(t)
	r, err := render.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// deckOf returns a PDF made by fpdf: A4 pages with a title, the second
// with a black box as well, then a poster (2 × 3 m) page.
func deckOf(t testing.TB) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(true)
	p.AddPage()
	p.SetFont("Helvetica", "B", 28)
	p.Cell(0, 20, "Page one: why us")
	p.AddPage()
	p.SetFont("Helvetica", "B", 28)
	p.Cell(0, 20, "Page two: pricing")
	p.SetFillColor(0, 0, 0)
	p.Rect(20, 60, 170, 120, "F")
	p.AddPageFormat("P", fpdf.SizeType{Wd: 2000, Ht: 3000})
	p.SetFont("Helvetica", "B", 400)
	p.Cell(0, 200, "Poster")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func renderPage(r *render.PDF, data []byte, page int) ([]byte, error) {
	img, ct, err := r.RenderPage(context.Background(), bytes.NewReader(data), "application/pdf", page)
	if err == nil && ct != "image/png" {
		return nil, fmt.Errorf("content type %q", ct)
	}
	return img, err
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// darkShare returns the share of the image's pixels that are dark.
func darkShare(img image.Image) float64 {
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x4000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy())
}

func near(got, want int) bool { return got >= want-1 && got <= want+1 }

func TestRenderPage(t *testing.T) {
	dir := t.TempDir()
	r := newPDF(t, render.Options{TempDir: dir})
	data := deckOf(t)
	is := is.New(t)

	one, err := renderPage(r, data, 1)
	is.NoErr(err)
	two, err := renderPage(r, data, 2)
	is.NoErr(err)
	img1, img2 := decode(t, one), decode(t, two)
	// A4 at 110 DPI: 595.28 × 841.89 points.
	is.True(near(img1.Bounds().Dx(), 910) && near(img1.Bounds().Dy(), 1287)) // A4 at 110 DPI
	is.Equal(img1.Bounds(), img2.Bounds())
	is.True(!bytes.Equal(one, two)) // each page its own image
	d1, d2 := darkShare(img1), darkShare(img2)
	is.True(d1 > 0.001 && d1 < 0.05) // page one: a line of text on white
	is.True(d2 > 0.15)               // page two: mostly the black box

	// The poster is scaled to MaxSize on its long side, keeping its shape.
	poster, err := renderPage(r, data, 3)
	is.NoErr(err)
	b := decode(t, poster).Bounds()
	is.Equal(b.Dy(), 1600)
	is.True(near(b.Dx(), 1067))

	// Nothing is left behind in the temporary directory.
	left, err := os.ReadDir(dir)
	is.NoErr(err)
	is.Equal(len(left), 0)
}

func TestRenderOptions(t *testing.T) {
	data := deckOf(t)
	for _, tc := range []struct {
		name string
		opt  render.Options
		w, h int
	}{
		{"lower DPI", render.Options{DPI: 36}, 298, 421},
		{"smaller MaxSize", render.Options{MaxSize: 500}, 354, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			img, err := renderPage(newPDF(t, tc.opt), data, 1)
			is.NoErr(err)
			b := decode(t, img).Bounds()
			is.True(near(b.Dx(), tc.w))
			is.True(near(b.Dy(), tc.h))
		})
	}
}

func TestRenderNoSuchPage(t *testing.T) {
	dir := t.TempDir()
	r := newPDF(t, render.Options{TempDir: dir})
	data := deckOf(t)
	for _, page := range []int{4, 1000, 0, -1} {
		t.Run(fmt.Sprint(page), func(t *testing.T) {
			is := is.New(t)
			img, err := renderPage(r, data, page)
			is.True(errors.Is(err, share.ErrItemUnavailable)) // a page that is not there
			is.Equal(errcode.Of(err), errcode.Gone)
			is.Equal(img, nil)
		})
	}
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Fatalf("left behind: %v %v", left, err)
	}
}

func TestRenderMalformed(t *testing.T) {
	dir := t.TempDir()
	r := newPDF(t, render.Options{TempDir: dir, Timeout: 20 * time.Second})
	data := deckOf(t)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"garbage", []byte("%PDF-1.7\nthis is not a pdf\n%%EOF\n")},
		{"empty", nil},
		{"header only", []byte("%PDF-")},
		{"a PNG", pngOf(t, 4, 4)},
		{"cut in half", data[:len(data)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			img, err := renderPage(r, tc.data, 1)
			is.True(errors.Is(err, render.ErrMalformed)) // a clear error
			is.Equal(errcode.Of(err), errcode.FailedPrecondition)
			is.Equal(img, nil)
		})
	}
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Fatalf("left behind: %v %v", left, err)
	}
}

func TestRenderRefuses(t *testing.T) {
	data := deckOf(t)
	t.Run("no pdftoppm", func(t *testing.T) {
		is := is.New(t)
		r, err := render.New(render.Options{Path: "no-such-pdftoppm-command"})
		is.True(errors.Is(err, render.ErrUnavailable)) // callers fall back on it
		is.Equal(errcode.Of(err), errcode.Unavailable)
		is.Equal(r, nil)
	})
	t.Run("other types", func(t *testing.T) {
		is := is.New(t)
		r := newPDF(t, render.Options{})
		for mt, want := range map[string]bool{
			"application/pdf":                true,
			"Application/PDF; name=deck.pdf": true,
			"application/x-pdf":              false,
			"image/png":                      false,
			"application/vnd.openxmlformats-officedocument.presentationml.presentation": false,
			"text/plain": false,
			"":           false,
		} {
			is.Equal(r.Pages(mt), want) // mt
		}
		_, _, err := r.RenderPage(context.Background(), bytes.NewReader(data), "image/png", 1)
		is.True(errors.Is(err, render.ErrUnsupported))
	})
	t.Run("too large", func(t *testing.T) {
		is := is.New(t)
		r := newPDF(t, render.Options{MaxInputBytes: int64(len(data)) - 1})
		_, err := renderPage(r, data, 1)
		is.True(errors.Is(err, render.ErrTooLarge))
		r = newPDF(t, render.Options{MaxInputBytes: int64(len(data))})
		_, err = renderPage(r, data, 1)
		is.NoErr(err) // at the limit is fine
	})
	t.Run("cancelled", func(t *testing.T) {
		is := is.New(t)
		r := newPDF(t, render.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _, err := r.RenderPage(ctx, bytes.NewReader(data), "application/pdf", 1)
		is.True(errors.Is(err, context.Canceled))
	})
}

// TestRenderConcurrently draws every page from many goroutines at once,
// with and without the cache: each gets its own page (run with -race).
func TestRenderConcurrently(t *testing.T) {
	data := deckOf(t)
	for _, cacheBytes := range []int64{-1, 0} {
		t.Run(fmt.Sprint("cache ", cacheBytes), func(t *testing.T) {
			r := newPDF(t, render.Options{CacheBytes: cacheBytes})
			want := map[int][]byte{}
			for page := 1; page <= 2; page++ {
				img, err := renderPage(r, data, page)
				if err != nil {
					t.Fatal(err)
				}
				want[page] = img
			}
			var wg sync.WaitGroup
			errs := make(chan error, 12)
			for i := range 12 {
				wg.Go(func() {
					page := i%2 + 1
					img, err := renderPage(r, data, page)
					if err == nil && !bytes.Equal(img, want[page]) {
						err = fmt.Errorf("page %d: another image", page)
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// pngOf returns a w × h PNG.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkRenderPage(b *testing.B) {
	data := deckOf(b)
	for _, bc := range []struct {
		name       string
		page       int
		cacheBytes int64
	}{
		{"A4", 1, -1},
		{"A4 box", 2, -1},
		{"poster", 3, -1},
		{"A4 cached", 1, 0},
	} {
		b.Run(strings.ReplaceAll(bc.name, " ", "_"), func(b *testing.B) {
			r := newPDF(b, render.Options{CacheBytes: bc.cacheBytes})
			ctx := context.Background()
			var size int
			for b.Loop() {
				img, _, err := r.RenderPage(ctx, bytes.NewReader(data), "application/pdf", bc.page)
				if err != nil {
					b.Fatal(err)
				}
				size = len(img)
			}
			b.ReportMetric(float64(size), "png-bytes")
		})
	}
}
