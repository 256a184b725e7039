package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
)

// maxMIMETypeLen caps the optional mime_type form field.
const maxMIMETypeLen = 255

var errUnsupportedUpload = &requestError{status: http.StatusUnsupportedMediaType, code: errcode.Invalid,
	message: "Content-Type must be multipart/form-data", fields: map[string]string{"body": "must be multipart/form-data with a file field"}}

// uploadVersion adds a version from a multipart/form-data body: the file in
// field "file", optionally preceded by "mime_type". The file part is
// streamed to the items service as it arrives (no temporary copy here);
// fields after it are not read. A file over Config.MaxUploadBytes stops the
// upload with 413 and stores nothing.
func (a *api) uploadVersion(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return errUnsupportedUpload
	}
	// The file may use the whole upload limit; the other fields and the
	// part headers get the JSON body limit on top.
	r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxUploadBytes+a.cfg.MaxBodyBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("body", "must be multipart/form-data with a boundary")
	}
	var mimeType string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return badRequest("file", "required: send the file in a multipart field named file")
		}
		if err != nil {
			return a.uploadProblem("body", err)
		}
		switch name := part.FormName(); name {
		case "mime_type":
			b, err := io.ReadAll(io.LimitReader(part, maxMIMETypeLen+1))
			if err != nil {
				return a.uploadProblem("body", err)
			}
			if len(b) > maxMIMETypeLen {
				return badRequest("mime_type", fmt.Sprintf("must be at most %d bytes", maxMIMETypeLen))
			}
			mimeType = strings.TrimSpace(string(b))
		case "file":
			body := &uploadReader{r: part, max: a.cfg.MaxUploadBytes}
			v, err := a.cfg.Items.AddVersion(r.Context(), r.PathValue("id"),
				items.NewVersion{Filename: part.FileName(), MIMEType: mimeType, Body: body})
			if err != nil {
				if body.err != nil {
					// The service failed because reading the request did.
					return a.uploadProblem("file", body.err)
				}
				return err
			}
			writeJSON(w, http.StatusCreated, v)
			return nil
		default:
			return badRequest(name, "unknown field: send file, optionally preceded by mime_type")
		}
	}
}

// errUploadTooLarge stops a file part at Config.MaxUploadBytes.
var errUploadTooLarge = errors.New("httpapi: upload too large")

// uploadProblem answers a failure to read the request body while
// uploading: 413 when a limit was hit, otherwise 400 (a truncated or
// malformed multipart body, or a client that went away).
func (a *api) uploadProblem(field string, err error) error {
	var mbe *http.MaxBytesError
	if errors.Is(err, errUploadTooLarge) || errors.As(err, &mbe) {
		if field == "body" && errors.As(err, &mbe) {
			return tooLarge("body", fmt.Sprintf("must be at most %d bytes", mbe.Limit))
		}
		return tooLarge("file", fmt.Sprintf("must be at most %d bytes", a.cfg.MaxUploadBytes))
	}
	return badRequest(field, "the upload could not be read: truncated or malformed multipart body")
}

// uploadReader passes a file part through, failing once more than max
// bytes arrive, and remembers any read error so that a failed upload can be
// told apart from a failing service.
type uploadReader struct {
	r   io.Reader
	max int64
	n   int64
	err error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.r.Read(p)
	u.n += int64(n)
	if u.n > u.max {
		u.err = errUploadTooLarge
		return n, u.err
	}
	if err != nil && err != io.EOF {
		u.err = err
	}
	return n, err
}

// downloadContent serves the current version of an item the caller may
// download, with Range and conditional requests (ETag is the SHA-256).
func (a *api) downloadContent(w http.ResponseWriter, r *http.Request) error {
	v, content, err := a.cfg.Items.Content(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer content.Close()
	ctype := v.MIMEType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", attachment(v.Filename))
	h.Set("ETag", `"`+v.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	// Revalidate every time, so that losing access takes effect at once;
	// never in shared caches.
	h.Set("Cache-Control", "private, no-cache")
	// Whatever the bytes are, they never run as a page of this origin.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", v.CreatedAt, content)
	return nil
}

// attachment formats a Content-Disposition for a download named name: an
// ASCII fallback for old clients and the exact UTF-8 name (RFC 6266, RFC
// 8187). Nothing from the name can end the header or the parameter.
func attachment(name string) string {
	if name == "" {
		name = "download"
	}
	var ascii, ext strings.Builder
	for _, c := range name {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(c)
		}
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isAttrChar(c) {
			ext.WriteByte(c)
		} else {
			ext.WriteByte('%')
			ext.WriteByte(hex[c>>4])
			ext.WriteByte(hex[c&15])
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar reports whether c may appear unencoded in an RFC 8187 value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
