package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestUploadAndDownload(t *testing.T) {
	is := is.New(t)
	e, desk, _ := itemsEnv(t)
	id := e.item("eve", map[string]any{"spot_id": desk, "kind": "pdf", "title": "Price list",
		"audience": "external", "downloadable": true})

	content := []byte("%PDF-1.7 pretend this is a price list\n")
	sum := sha256.Sum256(content)
	r := e.upload("eve", id, [3]string{"mime_type", "", "application/pdf"}, [3]string{"file", "Preisliste für Q3.pdf", string(content)})
	is.Equal(r.status, 201)
	golden(t, "version_created.json", r.body)
	v := r.json()
	is.Equal(v["number"], 1.0)
	is.Equal(v["sha256"], hex.EncodeToString(sum[:]))
	is.Equal(v["size"], float64(len(content)))
	is.Equal(v["mime_type"], "application/pdf")
	is.Equal(v["filename"], "Preisliste für Q3.pdf")
	is.Equal(e.must(200, "vic", "GET", "/api/v1/items/"+id, nil)["current_version_id"], v["id"])
	is.Equal(ids(e.do("vic", "GET", "/api/v1/items/"+id+"/versions", nil).items()), []string{v["id"].(string)})

	// A viewer downloads it: the bytes, with headers that name and guard them.
	d := e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil)
	is.Equal(d.status, 200)
	is.Equal(d.body, content)
	is.Equal(d.header.Get("Content-Type"), "application/pdf")
	is.Equal(d.header.Get("Content-Disposition"), `attachment; filename="Preisliste f_r Q3.pdf"; filename*=UTF-8''Preisliste%20f%C3%BCr%20Q3.pdf`)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	is.Equal(d.header.Get("ETag"), etag)
	is.Equal(d.header.Get("Accept-Ranges"), "bytes")
	is.Equal(d.header.Get("X-Content-Type-Options"), "nosniff")
	is.True(strings.Contains(d.header.Get("Content-Security-Policy"), "sandbox"))
	is.True(strings.HasPrefix(d.header.Get("Cache-Control"), "private"))

	// Ranges and conditional requests.
	rg := e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil, "Range", "bytes=5-9")
	is.Equal(rg.status, 206)
	is.Equal(rg.body, content[5:10])
	is.Equal(rg.header.Get("Content-Range"), fmt.Sprintf("bytes 5-9/%d", len(content)))
	tail := e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil, "Range", "bytes=-4")
	is.Equal(tail.status, 206)
	is.Equal(tail.body, content[len(content)-4:])
	is.Equal(e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil, "Range", "bytes=1000-").status, 416)
	is.Equal(e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil, "If-None-Match", etag).status, 304)

	// A new version becomes current; the old one stays listed.
	r = e.upload("eve", id, [3]string{"file", "prices.pdf", "%PDF-1.7 version two\n"})
	is.Equal(r.status, 201)
	is.Equal(r.json()["number"], 2.0)
	is.Equal(len(e.do("vic", "GET", "/api/v1/items/"+id+"/versions", nil).items()), 2)
	d = e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil)
	is.Equal(string(d.body), "%PDF-1.7 version two\n")
	is.Equal(d.header.Get("Content-Disposition"), `attachment; filename="prices.pdf"; filename*=UTF-8''prices.pdf`)
	is.Equal(e.do("vic", "GET", "/api/v1/items/"+id+"/content", nil, "If-None-Match", etag).status, 200)
}

func TestDownloadRefused(t *testing.T) {
	is := is.New(t)
	e, desk, _ := itemsEnv(t)
	internal := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Battlecard",
		"audience": "internal", "downloadable": true})
	is.Equal(e.upload("eve", internal, [3]string{"file", "battlecard.txt", "beat them on price"}).status, 201)
	is.Equal(e.must(200, "eve", "GET", "/api/v1/items/"+internal, nil)["downloadable"], false) // the most restrictive wins

	// Not downloadable: a viewer is refused with 403, in JSON.
	r := e.do("vic", "GET", "/api/v1/items/"+internal+"/content", nil)
	is.Equal(r.status, 403)
	code, msg, _ := r.apiError()
	is.Equal(code, "forbidden")
	is.Equal(msg, "not downloadable")
	is.Equal(r.header.Get("Content-Disposition"), "")
	// Its editors may always download their own content.
	is.Equal(string(e.do("eve", "GET", "/api/v1/items/"+internal+"/content", nil).body), "beat them on price")

	// Nothing uploaded yet.
	empty := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Soon", "audience": "external", "downloadable": true})
	e.refused(422, "failed_precondition", "vic", "GET", "/api/v1/items/"+empty+"/content", nil)
	// Links have no content.
	link := e.item("eve", map[string]any{"spot_id": desk, "kind": "link", "title": "Calculator",
		"source": map[string]any{"type": "url", "url": "https://example.com/calc"}})
	r = e.upload("eve", link, [3]string{"file", "x.txt", "x"})
	is.Equal(r.status, 422)
}

func TestUploadBadInput(t *testing.T) {
	is := is.New(t)
	const limit = 64
	e, desk, _ := itemsEnv(t, func(o *envOptions) { o.maxUploadBytes = limit })
	id := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Notes", "audience": "external", "downloadable": true})
	watched := []string{"/api/v1/items/" + id, "/api/v1/items/" + id + "/versions"}
	before := e.snapshot("eve", watched...)
	unchanged := func(t *testing.T) {
		t.Helper()
		if n := e.blobFiles(); n != 0 {
			t.Fatalf("a refused upload left %d blob files", n)
		}
		if after := e.snapshot("eve", watched...); after != before {
			t.Fatalf("a refused upload changed something:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	}
	type part = [3]string
	for _, c := range []struct {
		name   string
		parts  []part
		status int
		field  string
	}{
		{"oversize", []part{{"file", "big.txt", strings.Repeat("x", limit+1)}}, 413, "file"},
		{"far oversize", []part{{"file", "big.txt", strings.Repeat("x", 100*limit)}}, 413, "file"},
		{"no file part", []part{{"mime_type", "", "text/plain"}}, 400, "file"},
		{"no parts", nil, 400, "file"},
		{"unknown part", []part{{"notes", "", "hello"}, {"file", "a.txt", "a"}}, 400, "notes"},
		{"empty file", []part{{"file", "empty.txt", ""}}, 400, "file"},
		{"no file name", []part{{"file", "", "content without a name"}}, 400, "file"},
		{"bad mime type", []part{{"mime_type", "", "not a type"}, {"file", "a.txt", "a"}}, 400, "mime_type"},
		{"long mime type", []part{{"mime_type", "", "text/" + strings.Repeat("x", 300)}, {"file", "a.txt", "a"}}, 400, "mime_type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			r := e.upload("eve", id, c.parts...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d\n%s", r.status, c.status, r.body)
			}
			code, _, fields := r.apiError()
			if code != "invalid" {
				t.Errorf("code %q", code)
			}
			if _, ok := fields[c.field]; !ok {
				t.Errorf("the error does not name %q: %v", c.field, fields)
			}
			unchanged(t)
		})
	}

	t.Run("not multipart", func(t *testing.T) {
		e := e.with(t)
		e.refused(415, "invalid", "eve", "POST", "/api/v1/items/"+id+"/versions", `{"file": "x"}`)
		e.refused(400, "invalid", "eve", "POST", "/api/v1/items/"+id+"/versions", "x", "Content-Type", "multipart/form-data")
		unchanged(t)
	})

	t.Run("truncated", func(t *testing.T) {
		e := e.with(t)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("file", "cut.txt")
		w.Write([]byte("the body ends before the closing boundary"))
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/items/"+id+"/versions", &buf) // mw not closed
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+e.tokens["eve"])
		r := e.send(req)
		is.Equal(r.status, 400)
		_, _, fields := r.apiError()
		is.True(fields["file"] != "")
		unchanged(t)
	})

	t.Run("not allowed", func(t *testing.T) {
		r := e.upload("vic", id, [3]string{"file", "a.txt", "a"})
		is.Equal(r.status, 403)
		r = e.upload("otto", id, [3]string{"file", "a.txt", "a"})
		is.Equal(r.status, 404)
		unchanged(t)
	})

	// Exactly at the limit is fine.
	r := e.upload("eve", id, [3]string{"file", "full.txt", strings.Repeat("x", limit)})
	is.Equal(r.status, 201)
	is.Equal(r.json()["size"], float64(limit))
}

// endless is a multipart body whose file part never ends.
type endless struct {
	head []byte
}

func (e *endless) Read(p []byte) (int, error) {
	if len(e.head) > 0 {
		n := copy(p, e.head)
		e.head = e.head[n:]
		return n, nil
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestUploadStreams shows that uploads are streamed and cut at the limit:
// a file that never ends is refused as soon as it passes the limit, which
// a handler that read the whole body first could never do.
func TestUploadStreams(t *testing.T) {
	is := is.New(t)
	e, desk, _ := itemsEnv(t, func(o *envOptions) { o.maxUploadBytes = 1 << 10 })
	id := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Notes"})

	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.CreateFormFile("file", "endless.txt")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/api/v1/items/"+id+"/versions",
		io.NopCloser(&endless{head: head.Bytes()}))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens["eve"])
	r := e.send(req)
	is.Equal(r.status, 413)
	_, _, fields := r.apiError()
	is.True(fields["file"] != "")
	is.Equal(len(e.do("eve", "GET", "/api/v1/items/"+id+"/versions", nil).items()), 0)
	is.Equal(e.blobFiles(), 0)
}
