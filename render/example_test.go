package render_test

import (
	"errors"
	"log/slog"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/render"
)

// The viewer shows PDF pages as images when pdftoppm is installed, and
// each page's text otherwise.
func ExampleNew() {
	var cfg briefcase.Config
	r, err := render.New(render.Options{})
	switch {
	case err == nil:
		cfg.Renderer = r
	case errors.Is(err, render.ErrUnavailable):
		slog.Info("the viewer shows page text", "why", err)
	default:
		slog.Error("renderer", "err", err)
	}
}
