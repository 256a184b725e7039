package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/matryer/is"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// now is the fixed time every test library runs at.
var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// env is a Library served over HTTP, with four principals:
//
//	ada   admin, content-contributor
//	eve   content-contributor, group marketing
//	vic   group sales
//	otto  no group
type env struct {
	t      *testing.T
	lib    *briefcase.Library
	srv    *httptest.Server
	ctx    context.Context
	tokens map[string]string
	logs   *syncBuffer
	// blobsDir is where localblobs keeps version contents.
	blobsDir string
}

type envOptions struct {
	maxUploadBytes int64
}

func newEnv(t *testing.T, opts ...func(*envOptions)) *env {
	t.Helper()
	var o envOptions
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	blobsDir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := localblobs.New(blobsDir)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	lib, err := briefcase.New(ctx, briefcase.Config{
		Store:          memstore.New(),
		Blobs:          blobs,
		Now:            func() time.Time { return now },
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
		MaxUploadBytes: o.maxUploadBytes,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	srv := httptest.NewServer(lib.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, lib: lib, srv: srv, ctx: ctx, tokens: map[string]string{}, logs: logs, blobsDir: blobsDir}
	e.user(spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}}, true)
	e.user(spots.Principal{ID: "eve", Name: "Eve Editor", Email: "eve@example.com", Groups: []string{"marketing"}}, true)
	e.user(spots.Principal{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com", Groups: []string{"sales"}}, false)
	e.user(spots.Principal{ID: "otto", Name: "Otto Outsider", Email: "otto@example.com"}, false)
	return e
}

// with returns a copy of e that reports to t (for subtests).
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// user saves a principal, optionally with the content-contributor
// training, and issues it a token.
func (e *env) user(p spots.Principal, contributor bool) {
	e.t.Helper()
	sys := briefcase.SystemContext(e.ctx)
	if _, err := e.lib.Spots.SavePrincipal(sys, p); err != nil {
		e.t.Fatal(err)
	}
	if contributor {
		if _, err := e.lib.Spots.RecordTraining(sys, p.ID, spots.TrainingContentContributor); err != nil {
			e.t.Fatal(err)
		}
	}
	secret, _, err := e.lib.Tokens.Create(sys, p.ID, "test", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	e.tokens[p.ID] = secret
}

// blobFiles counts the files under the blob directory.
func (e *env) blobFiles() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobsDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// response is an answer, read whole.
type response struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// json decodes the body as an object.
func (r response) json() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		r.t.Fatalf("answer is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// items returns the "items" of a list answer.
func (r response) items() []map[string]any {
	r.t.Helper()
	var l struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.body, &l); err != nil || l.Items == nil || l.NextCursor == nil {
		r.t.Fatalf("not a list answer (%v):\n%s", err, r.body)
	}
	return l.Items
}

// apiError decodes the error shape, failing when the body has another one.
func (r response) apiError() (code, message string, fields map[string]string) {
	r.t.Helper()
	var b struct {
		Error *struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || b.Error == nil || b.Error.Code == "" || b.Error.Message == "" {
		r.t.Fatalf("not an error answer (%v):\n%s", err, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		r.t.Fatalf("error Content-Type %q", ct)
	}
	return b.Error.Code, b.Error.Message, b.Error.Fields
}

// do sends a request as user ("" for none). A string or []byte body is
// sent as is, anything else as JSON; bodies go as application/json unless
// a Content-Type header is given.
func (e *env) do(user, method, path string, body any, header ...string) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if user != "" {
		tok, ok := e.tokens[user]
		if !ok {
			e.t.Fatalf("no token for %q", user)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) response {
	e.t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{t: e.t, status: resp.StatusCode, header: resp.Header, body: b}
}

// must sends a request and fails unless the status is want; it returns the
// decoded object (nil for an empty body).
func (e *env) must(want int, user, method, path string, body any) map[string]any {
	e.t.Helper()
	r := e.do(user, method, path, body)
	if r.status != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, user, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json()
}

// refused sends a request that must fail with status and code; it returns
// the error's fields.
func (e *env) refused(status int, code, user, method, path string, body any, header ...string) map[string]string {
	e.t.Helper()
	r := e.do(user, method, path, body, header...)
	if r.status != status {
		e.t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, user, r.status, status, r.body)
	}
	gotCode, _, fields := r.apiError()
	if gotCode != code {
		e.t.Fatalf("%s %s: code %q, want %q\n%s", method, path, gotCode, code, r.body)
	}
	return fields
}

// snapshot returns the answers of GETs, to compare before and after a
// refused write.
func (e *env) snapshot(user string, paths ...string) string {
	e.t.Helper()
	var b strings.Builder
	for _, p := range paths {
		r := e.do(user, "GET", p, nil)
		b.WriteString(p + " " + http.StatusText(r.status) + "\n" + string(r.body) + "\n")
	}
	return b.String()
}

// upload posts parts as multipart/form-data; a part is {name, filename,
// content} and filename "" makes a plain field.
func (e *env) upload(user, itemID string, parts ...[3]string) response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p[1] != "" {
			h.Set("Content-Disposition", `form-data; name="`+p[0]+`"; filename="`+p[1]+`"`)
			h.Set("Content-Type", "application/octet-stream")
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p[0]+`"`)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			e.t.Fatal(err)
		}
		w.Write([]byte(p[2]))
	}
	mw.Close()
	req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/items/"+itemID+"/versions", &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	return e.send(req)
}

// spot creates a spot as user and returns its ID.
func (e *env) spot(user string, body map[string]any) string {
	e.t.Helper()
	return e.must(201, user, "POST", "/api/v1/spots", body)["id"].(string)
}

// item creates an item as user and returns its ID.
func (e *env) item(user string, body map[string]any) string {
	e.t.Helper()
	return e.must(201, user, "POST", "/api/v1/items", body)["id"].(string)
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	hashRE = regexp.MustCompile(`[0-9a-f]{64}`)
)

// golden compares a JSON answer, indented and with IDs replaced by
// <id>, with testdata/name; -update rewrites the file.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	is := is.New(t)
	var v any
	is.NoErr(json.Unmarshal(body, &v))
	var pretty bytes.Buffer
	enc := json.NewEncoder(&pretty)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	is.NoErr(enc.Encode(v))
	got := uuidRE.ReplaceAll(pretty.Bytes(), []byte("<id>"))
	got = hashRE.ReplaceAll(got, []byte("<sha256>"))
	path := filepath.Join("testdata", name)
	if *update {
		is.NoErr(os.MkdirAll("testdata", 0o755))
		is.NoErr(os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the answer (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// syncBuffer collects logs from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
