package qrcode_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase/internal/qrcode"
	"github.com/matryer/is"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func black(img image.Image, x, y int) bool {
	g := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
	return g.Y < 128
}

// finder reports whether a 7x7-module finder pattern (a black ring, a
// white ring, a black 3x3 centre) starts at module (mx, my).
func finder(img image.Image, mx, my, scale int) bool {
	at := func(dx, dy int) bool {
		return black(img, (mx+dx)*scale+scale/2, (my+dy)*scale+scale/2)
	}
	for d := 0; d < 7; d++ {
		if !at(d, 0) || !at(d, 6) || !at(0, d) || !at(6, d) {
			return false
		}
	}
	for d := 1; d < 6; d++ {
		if at(d, 1) || at(d, 5) || at(1, d) || at(5, d) {
			return false
		}
	}
	for dy := 2; dy < 5; dy++ {
		for dx := 2; dx < 5; dx++ {
			if !at(dx, dy) {
				return false
			}
		}
	}
	return true
}

func TestPNGIsAQRCode(t *testing.T) {
	is := is.New(t)
	const link = "https://briefcase.example.com/p/3q2-7wEAAAAAAAAAAAAAAAAAAAAAAAAA"
	b, err := qrcode.PNG(link, 300)
	is.NoErr(err)
	img := decode(t, b)
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	is.Equal(w, h)    // square
	is.True(w <= 300) // never above the size asked for
	is.True(w >= 200) // and close to it
	modules := 0      // modules per side, quiet zone included
	for _, n := range []int{21 + 8, 25 + 8, 29 + 8, 33 + 8, 37 + 8, 41 + 8, 45 + 8} {
		if w%n == 0 && w/n == 300/n {
			modules = n
		}
	}
	is.True(modules != 0) // a whole number of pixels per module
	scale := w / modules
	size := modules - 8
	// The quiet zone is white all round.
	for i := 0; i < w; i++ {
		for _, p := range [][2]int{{i, 0}, {i, 4*scale - 1}, {0, i}, {w - 1, i}, {i, h - 1}} {
			if black(img, p[0], p[1]) {
				t.Fatalf("quiet zone pixel %v is black", p)
			}
		}
	}
	// Finder patterns in three corners, none in the fourth.
	is.True(finder(img, 4, 4, scale))
	is.True(finder(img, 4+size-7, 4, scale))
	is.True(finder(img, 4, 4+size-7, scale))
	is.True(!finder(img, 4+size-7, 4+size-7, scale))

	// Another text draws another code.
	b2, err := qrcode.PNG(link+"x", 300)
	is.NoErr(err)
	is.True(!bytes.Equal(b, b2))
}

func TestPNGSizes(t *testing.T) {
	is := is.New(t)
	small, err := qrcode.PNG("abc", 10) // a version 1 code: 21 modules
	is.NoErr(err)
	is.Equal(decode(t, small).Bounds().Dx(), 21+8) // one pixel per module at least
	long, err := qrcode.PNG(strings.Repeat("a", qrcode.MaxText), 100)
	is.NoErr(err)
	is.True(decode(t, long).Bounds().Dx() > 100) // a big code stays readable
}

func TestPNGRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		text string
		size int
	}{
		"empty":     {"", 100},
		"too long":  {strings.Repeat("a", qrcode.MaxText+1), 100},
		"zero size": {"x", 0},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := qrcode.PNG(tc.text, tc.size); err == nil {
				t.Fatal("no error")
			}
			if _, err := qrcode.DataURI(tc.text, tc.size); err == nil {
				t.Fatal("no error from DataURI")
			}
		})
	}
}

func TestDataURI(t *testing.T) {
	is := is.New(t)
	uri, err := qrcode.DataURI("https://x.example/p/abc", 120)
	is.NoErr(err)
	b64, ok := strings.CutPrefix(uri, "data:image/png;base64,")
	is.True(ok)
	raw, err := base64.StdEncoding.DecodeString(b64)
	is.NoErr(err)
	want, err := qrcode.PNG("https://x.example/p/abc", 120)
	is.NoErr(err)
	is.Equal(raw, want)
}
