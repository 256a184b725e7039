// Package qrcode draws QR codes of short texts (share links) as PNG images,
// for the buyer viewer's "continue on your phone" code and for links in API
// answers.
//
//	png, err := qrcode.PNG("https://briefcase.example.com/p/abc", 256)
//	uri, err := qrcode.DataURI("https://briefcase.example.com/p/abc", 256) // "data:image/png;base64,..."
//
// Codes use error correction level M and the four-module quiet zone the
// standard asks for. The encoding is rsc.io/qr's; the image is drawn
// with the standard library.
package qrcode

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"rsc.io/qr"
)

// MaxText is the longest text PNG accepts, in bytes: well within what a
// level-M code holds, and far above any share link.
const MaxText = 1024

// quietZone is the blank border, in modules, on each side of a code.
const quietZone = 4

// PNG returns a square, black-on-white PNG of text's QR code, at most size
// pixels wide and as close to it as whole pixels per module allow (never
// less than one pixel per module, so a size too small for the text gives a
// larger image). Empty text, or text longer than MaxText, is an error.
func PNG(text string, size int) ([]byte, error) {
	switch {
	case text == "":
		return nil, errors.New("qrcode: empty text")
	case len(text) > MaxText:
		return nil, fmt.Errorf("qrcode: text is %d bytes, more than %d", len(text), MaxText)
	case size < 1:
		return nil, fmt.Errorf("qrcode: size %d: must be positive", size)
	}
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qrcode: %w", err)
	}
	// The image is drawn here and encoded by image/png: rsc.io/qr's own
	// PNG writer panics at small scales.
	scale := max(1, size/(c.Size+2*quietZone))
	side := (c.Size + 2*quietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range side {
		for x := range side {
			if c.Black(x/scale-quietZone, y/scale-quietZone) {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qrcode: %w", err)
	}
	return buf.Bytes(), nil
}

// DataURI returns PNG(text, size) as a data: URI, ready for an <img src>.
func DataURI(text string, size int) (string, error) {
	b, err := PNG(text, size)
	if err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b), nil
}
