// Package render draws pages of PDF files as PNG images for the buyer
// viewer: it is a [share.Renderer] over poppler's pdftoppm.
//
//	r, err := render.New(render.Options{})
//	if errors.Is(err, render.ErrUnavailable) {
//		// pdftoppm is not installed: leave Config.Renderer nil and the
//		// viewer shows each page's extracted text instead.
//	}
//	cfg.Renderer = r
//
// Why pdftoppm: it comes with poppler-utils, which Briefcase already
// installs for pdftotext (see package extract); poppler draws PDFs as
// faithfully as a desktop viewer does; and a separate process keeps a
// hostile file's crash, memory and CPU away from the server, needs no cgo,
// and can be killed when its time is up.
//
// Each page is drawn at Options.DPI (110 by default), and never larger than
// Options.MaxSize pixels (1600) on its long side: a page that would be
// larger is drawn again scaled down to fit, and the first attempt is
// cropped to that size, so a poster-sized page costs no more memory than an
// ordinary one. The file is copied to a private temporary directory (mode
// 0700, removed afterwards) and only names made up here are passed on the
// command line.
//
// Limits, all Options: files above MaxInputBytes (512 MiB) are refused
// with ErrTooLarge; a run that takes longer than Timeout (30 s), or a
// request that waits that long for a free slot, ends with ErrTimeout; at
// most Concurrency (2) pdftoppm processes run at once, so a burst of page
// requests queues up instead of forking one process each. Files pdftoppm
// cannot read are ErrMalformed; a page past the end is
// share.ErrItemUnavailable.
//
// Drawn pages are kept in memory, up to CacheBytes (32 MiB) of PNGs, least
// recently used first out. They are keyed by the SHA-256 of the file and
// the page number, so a buyer paging back and forth, or two buyers reading
// the same deck, draw each page once; a hit still reads the file once to
// hash it. A *PDF is safe for concurrent use and starts no goroutines.
package render
