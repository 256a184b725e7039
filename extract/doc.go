// Package extract pulls the text out of uploaded files, one string per page
// or slide, so that search can match what is inside them. Its Extractor is
// the default items.Extractor:
//
//	svc := items.NewService(st, atomic, spots, blobs, items.Options{
//		Extractor: extract.New(extract.Options{}),
//	})
//
// What it reads, chosen by media type, then file extension, then content:
//
//	text/plain, .txt, .csv    one page, or one per form feed (\f)
//	text/markdown, .md        one page, markup removed (goldmark's parser)
//	text/html, .html          one page of visible text (golang.org/x/net/html)
//	DOCX                      paragraphs as lines; page breaks split pages
//	PPTX                      one page per slide, in deck order, notes appended
//	application/pdf, .pdf     one page per page: pdftotext -layout when
//	                          poppler-utils is installed, a pure-Go reader
//	                          (github.com/ledongthuc/pdf) otherwise
//
// Anything else (images, video, audio, spreadsheets, unknown types) is
// answered with items.ErrUnsupported. Text is decoded to UTF-8 (byte order
// marks, charset parameters and HTML meta tags are honoured; invalid UTF-8
// is read as Windows-1252), whitespace is collapsed, blank lines dropped.
//
// Hostile files fail with ErrTooLarge or ErrMalformed, never a panic or a
// hang: a DOCX or PPTX may hold at most 10,000 entries and inflate to at
// most 64 MiB in all; text files are read up to 16 MiB; at most 2 MiB of
// text and 10,000 pages come back; the context's deadline ends any
// extraction, including a running pdftotext. All limits are Options.
package extract
