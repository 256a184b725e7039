package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/matryer/is"
)

// binary is the briefcase command built once by TestMain for the tests that
// run it as a child process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "briefcase-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "briefcase")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command(goBinary(), "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building briefcase:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goBinary is the go command of the toolchain running the tests.
func goBinary() string {
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}

// childEnv is the environment of child processes: ours without any
// BRIEFCASE_* variable, so a developer's settings do not leak into tests.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BRIEFCASE_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// result is what a finished command printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the binary to completion.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("briefcase %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// mustCLI runs the binary and fails the test unless it exits 0.
func mustCLI(t *testing.T, args ...string) result {
	t.Helper()
	r := cli(t, args...)
	if r.code != 0 {
		t.Fatalf("briefcase %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

var tokenLine = regexp.MustCompile(`^bc_[A-Za-z0-9_-]{20,}\n$`)

// createToken runs `tokens create` and checks that stdout is exactly one
// token line.
func createToken(t *testing.T, data, user string) string {
	t.Helper()
	r := mustCLI(t, "tokens", "create", "-data", data, "-user", user)
	if !tokenLine.MatchString(r.stdout) {
		t.Fatalf("tokens create: stdout is not exactly one token line: %q", r.stdout)
	}
	return strings.TrimSpace(r.stdout)
}

// server is a running `briefcase serve` child process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process exited

	mu     sync.Mutex
	stderr bytes.Buffer
}

// Stderr returns what the server printed on stderr so far.
func (s *server) Stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServer starts `briefcase serve` with args (which should listen on
// port 0), reads the address it listens on from its log and waits until
// /readyz answers 200. The process is killed at cleanup if still running.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Env = childEnv()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pipe)
		cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
	})

	select {
	case a := <-addr:
		s.url = "http://" + a
	case <-s.done:
		t.Fatalf("serve exited before listening:\n%s", s.Stderr())
	case <-time.After(time.Minute):
		t.Fatalf("serve did not log its address within a minute:\n%s", s.Stderr())
	}
	s.waitReady()
	return s
}

// waitReady polls /readyz until it answers 200.
func (s *server) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("/readyz not ready within 30s (last: %v)\n%s", err, s.Stderr())
		}
		select {
		case <-s.done:
			s.t.Fatalf("serve exited:\n%s", s.Stderr())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and returns the exit code, failing when the server
// does not exit promptly.
func (s *server) stop() int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.t.Fatalf("serve did not exit within 10s of SIGTERM:\n%s", s.Stderr())
	}
	return s.cmd.ProcessState.ExitCode()
}

// response is a decoded API answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic map.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %v\n%s", r.status, err, r.body)
	}
	return m
}

// apiError returns the error object of an error answer.
func (r response) apiError(t *testing.T) (code string, fields map[string]any) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %d answer: %s", r.status, r.body)
	}
	code, _ = e["code"].(string)
	fields, _ = e["fields"].(map[string]any)
	return code, fields
}

// client calls the API as the holder of a token ("" sends none).
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends body: nil for none, a string or []byte as is, anything else as
// JSON.
func (c client) do(method, path string, body any) response {
	c.t.Helper()
	var r io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", ctype)
	}
	return c.send(req)
}

func (c client) send(req *http.Request) response {
	c.t.Helper()
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// must sends a request and fails the test unless the status is want.
func (c client) must(want int, method, path string, body any) map[string]any {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(c.t)
}

// upload posts content as a new version (multipart field "file").
func (c client) upload(itemID, filename string, content []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest("POST", c.base+"/api/v1/items/"+itemID+"/versions", &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

// ids returns the "id" of every element of the list answer's "items".
func ids(t *testing.T, list map[string]any) []string {
	t.Helper()
	raw, ok := list["items"].([]any)
	if !ok {
		t.Fatalf("no items array in %v", list)
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		m, _ := v.(map[string]any)
		// Bookmarks carry their item under "item".
		if it, ok := m["item"].(map[string]any); ok {
			m = it
		}
		id, _ := m["id"].(string)
		out = append(out, id)
	}
	return out
}

func TestServeEndToEnd(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()

	mustCLI(t, "users", "add", "-data", data, "-id", "alice", "-name", "Alice Smith", "-email", "alice@example.com",
		"-groups", "marketing", "-admin", "-trainings", "content-contributor")
	mustCLI(t, "users", "add", "-data", data, "-id", "victor", "-name", "Victor Viewer", "-email", "victor@example.com",
		"-groups", "sales")
	aliceToken := createToken(t, data, "alice")
	victorToken := createToken(t, data, "victor")
	is.True(aliceToken != victorToken)

	srv := startServer(t, "-data", data, "-addr", "127.0.0.1:0")
	alice := client{t: t, base: srv.url, token: aliceToken}
	victor := client{t: t, base: srv.url, token: victorToken}
	anon := client{t: t, base: srv.url}

	// Who am I.
	me := alice.must(200, "GET", "/api/v1/me", nil)
	is.Equal(me["id"], "alice")
	is.Equal(me["email"], "alice@example.com")
	is.True(me["personal_spot_id"] != "" && me["personal_spot_id"] != nil)

	// A restricted spot, with a group as member.
	spot := alice.must(201, "POST", "/api/v1/spots", map[string]any{
		"name": "Deal Desk", "description": "Pricing and approvals", "kind": "team", "visibility": "restricted"})
	spotID, _ := spot["id"].(string)
	is.True(spotID != "")
	alice.must(200, "PUT", "/api/v1/spots/"+spotID+"/members/group:marketing", map[string]any{"role": "viewer"})
	members := alice.must(200, "GET", "/api/v1/spots/"+spotID+"/members", nil)
	is.True(strings.Contains(fmt.Sprint(members), "marketing"))

	// Lists.
	group := alice.must(201, "POST", "/api/v1/list-groups", map[string]any{"name": "Industry"})
	finance := alice.must(201, "POST", "/api/v1/lists", map[string]any{"name": "Finance", "group_id": group["id"]})
	retail := alice.must(201, "POST", "/api/v1/lists", map[string]any{"name": "Retail", "group_id": group["id"]})
	financeID, retailID := finance["id"].(string), retail["id"].(string)

	// An external, downloadable item, filed in a list.
	item := alice.must(201, "POST", "/api/v1/items", map[string]any{
		"spot_id": spotID, "kind": "document", "title": "Pricing Sheet", "description": "List prices",
		"audience": "external", "downloadable": true, "labels": []string{"pricing"}})
	itemID, _ := item["id"].(string)
	is.True(itemID != "")
	is.Equal(item["audience"], "external")
	alice.must(200, "PUT", "/api/v1/lists/"+financeID+"/items/"+itemID, nil)

	// Upload a version, then download it back.
	content := []byte("# Pricing\n\nStarter: 10 seats, Team: 50 seats.\n")
	sum := sha256.Sum256(content)
	up := alice.upload(itemID, "pricing.md", content)
	is.Equal(up.status, 201)
	version := up.json(t)
	is.Equal(version["sha256"], hex.EncodeToString(sum[:]))
	is.Equal(version["size"], float64(len(content)))

	down := alice.do("GET", "/api/v1/items/"+itemID+"/content", nil)
	is.Equal(down.status, 200)
	is.Equal(down.body, content)
	got := sha256.Sum256(down.body)
	is.Equal(got, sum)

	// Patch it.
	patched := alice.must(200, "PATCH", "/api/v1/items/"+itemID, map[string]any{"title": "Pricing Sheet FY26"})
	is.Equal(patched["title"], "Pricing Sheet FY26")
	is.Equal(patched["description"], "List prices") // untouched fields stay

	// List with filters.
	is.Equal(ids(t, alice.must(200, "GET", "/api/v1/items?spot="+spotID, nil)), []string{itemID})
	is.Equal(ids(t, alice.must(200, "GET", "/api/v1/items?spot="+spotID+"&list="+financeID+"&status=published", nil)), []string{itemID})
	is.Equal(ids(t, alice.must(200, "GET", "/api/v1/items?spot="+spotID+"&list="+retailID, nil)), []string{})

	// Bookmark it.
	bm := alice.do("PUT", "/api/v1/me/bookmarks/"+itemID, nil)
	is.True(bm.status == 200 || bm.status == 201 || bm.status == 204)
	is.Equal(ids(t, alice.must(200, "GET", "/api/v1/me/bookmarks", nil)), []string{itemID})

	// The viewer is not a member: the restricted spot's item does not exist
	// for him, and he cannot write to it.
	is.Equal(victor.do("GET", "/api/v1/items/"+itemID, nil).status, 404)
	is.Equal(victor.do("GET", "/api/v1/items/"+itemID+"/content", nil).status, 404)
	is.Equal(victor.do("PATCH", "/api/v1/items/"+itemID, map[string]any{"title": "mine"}).status, 404)
	is.Equal(ids(t, victor.must(200, "GET", "/api/v1/items", nil)), []string{})
	// Granted viewer, he sees it but still cannot change it.
	alice.must(200, "PUT", "/api/v1/spots/"+spotID+"/members/user:victor", map[string]any{"role": "viewer"})
	is.Equal(victor.must(200, "GET", "/api/v1/items/"+itemID, nil)["title"], "Pricing Sheet FY26")
	is.Equal(victor.do("PATCH", "/api/v1/items/"+itemID, map[string]any{"title": "mine"}).status, 403)

	// Bad input: a clear 4xx naming the problem, and nothing written.
	snapshot := func() string {
		t.Helper()
		it := alice.do("GET", "/api/v1/items/"+itemID, nil)
		list := alice.do("GET", "/api/v1/items?spot="+spotID, nil)
		is.Equal(it.status, 200)
		is.Equal(list.status, 200)
		return string(it.body) + "\n" + string(list.body)
	}
	before := snapshot()
	badRequests := []struct {
		name, method, path, body string
		field                    string // the field the error must name, if any
	}{
		{"malformed JSON", "POST", "/api/v1/items", `{"spot_id": "` + spotID + `", "title":`, ""},
		{"unknown field", "POST", "/api/v1/items", `{"spot_id": "` + spotID + `", "title": "X", "colour": "red"}`, "colour"},
		{"wrong type", "POST", "/api/v1/items", `{"spot_id": "` + spotID + `", "title": 42}`, "title"},
		{"missing title", "POST", "/api/v1/items", `{"spot_id": "` + spotID + `", "kind": "document"}`, "title"},
		{"patch wrong type", "PATCH", "/api/v1/items/" + itemID, `{"downloadable": "yes"}`, "downloadable"},
		{"patch empty title", "PATCH", "/api/v1/items/" + itemID, `{"title": ""}`, "title"},
	}
	for _, bad := range badRequests {
		r := alice.do(bad.method, bad.path, bad.body)
		if r.status != 400 {
			t.Fatalf("%s: status %d, want 400\n%s", bad.name, r.status, r.body)
		}
		code, fields := r.apiError(t)
		is.Equal(code, "invalid")
		if bad.field != "" {
			if _, ok := fields[bad.field]; !ok {
				t.Errorf("%s: error does not name field %q: %s", bad.name, bad.field, r.body)
			}
		}
		if after := snapshot(); after != before {
			t.Fatalf("%s changed something:\nbefore: %s\nafter:  %s", bad.name, before, after)
		}
	}

	noToken := anon.do("POST", "/api/v1/items", map[string]any{"spot_id": spotID, "title": "Sneaky"})
	is.Equal(noToken.status, 401)
	code, _ := noToken.apiError(t)
	is.Equal(code, "unauthenticated")
	is.Equal(client{t: t, base: srv.url, token: "bc_not-a-real-token-at-all-0000000000"}.do("GET", "/api/v1/me", nil).status, 401)
	is.Equal(snapshot(), before)

	req, err := http.NewRequest("POST", srv.url+"/api/v1/items", strings.NewReader(`{"spot_id": "`+spotID+`", "title": "Form"}`))
	is.NoErr(err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	is.Equal(alice.send(req).status, 415) // JSON must be declared as JSON
	is.Equal(snapshot(), before)

	huge := `{"spot_id": "` + spotID + `", "title": "Huge", "description": "` + strings.Repeat("x", 2<<20) + `"}`
	tooBig := alice.do("POST", "/api/v1/items", huge)
	is.Equal(tooBig.status, 413)
	is.Equal(snapshot(), before)

	// Graceful shutdown on SIGTERM.
	is.Equal(srv.stop(), 0)
	is.True(strings.Contains(srv.Stderr(), "msg=stopped"))
}

func TestServeDemo(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()

	srv := startServer(t, "-data", data, "-addr", "127.0.0.1:0", "-demo")
	token := regexp.MustCompile(`bc_[A-Za-z0-9_-]{20,}`).FindString(srv.Stderr())
	if token == "" {
		t.Fatalf("no token printed:\n%s", srv.Stderr())
	}
	is.True(strings.Contains(srv.Stderr(), "curl -H 'Authorization: Bearer "+token+"' "+srv.url+"/api/v1/"))
	demo := client{t: t, base: srv.url, token: token}
	is.Equal(demo.must(200, "GET", "/api/v1/me", nil)["id"], "demo")
	spotList := fmt.Sprint(demo.must(200, "GET", "/api/v1/spots", nil))
	for _, ds := range demoSpots {
		is.True(strings.Contains(spotList, ds.spec.Name)) // every demo spot is visible
	}
	its := ids(t, demo.must(200, "GET", "/api/v1/items?limit=100", nil))
	is.Equal(len(its), len(demoItems))
	is.Equal(srv.stop(), 0)

	// Loading again is a no-op: the store has spots.
	srv = startServer(t, "-data", data, "-addr", "127.0.0.1:0", "-demo")
	is.True(strings.Contains(srv.Stderr(), "demo data not loaded"))
	demo.base = srv.url
	is.Equal(len(ids(t, demo.must(200, "GET", "/api/v1/items?limit=100", nil))), len(demoItems))
	is.Equal(srv.stop(), 0)
}

func TestMigrateIsIdempotent(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()
	first := mustCLI(t, "migrate", "-data", data)
	is.True(strings.Contains(first.stdout, "schema version"))
	second := mustCLI(t, "migrate", "-data", data)
	is.True(strings.Contains(second.stdout, "applied 0 migration(s)"))
	_, err := os.Stat(filepath.Join(data, "briefcase.db"))
	is.NoErr(err)
}

func TestVersion(t *testing.T) {
	is := is.New(t)
	r := mustCLI(t, "version")
	is.True(strings.HasPrefix(r.stdout, "briefcase dev "))
	is.True(strings.Contains(r.stdout, runtime.Version()))
	is.Equal(strings.Count(r.stdout, "\n"), 1)
}

func TestUsersAdd(t *testing.T) {
	data := t.TempDir()
	t.Run("missing id", func(t *testing.T) {
		is := is.New(t)
		r := cli(t, "users", "add", "-data", data, "-name", "No Id")
		is.Equal(r.code, 2)
		is.True(strings.Contains(r.stderr, "briefcase: users add: -id is required"))
		is.Equal(r.stdout, "")
	})
	t.Run("bad email", func(t *testing.T) {
		is := is.New(t)
		r := cli(t, "users", "add", "-data", data, "-id", "bob", "-email", "not an address")
		is.Equal(r.code, 1)
		is.True(strings.Contains(r.stderr, "email"))
	})
	t.Run("unknown flag", func(t *testing.T) {
		is := is.New(t)
		r := cli(t, "users", "add", "-data", data, "-id", "bob", "-colour", "red")
		is.Equal(r.code, 2)
		is.True(strings.Contains(r.stderr, "-colour"))
	})
	t.Run("bad training saves nothing", func(t *testing.T) {
		is := is.New(t)
		r := cli(t, "users", "add", "-data", data, "-id", "dave", "-trainings", "Content Contributor")
		is.Equal(r.code, 1)
		is.True(strings.Contains(r.stderr, "trainings"))
		r = cli(t, "tokens", "create", "-data", data, "-user", "dave")
		is.True(r.code != 0) // no half-made user to issue a token for
		is.Equal(r.stdout, "")
	})
	t.Run("rerun updates", func(t *testing.T) {
		is := is.New(t)
		r := mustCLI(t, "users", "add", "-data", data, "-id", "carol", "-name", "Carol One", "-groups", "sales")
		is.Equal(r.stdout, "saved user carol (groups: sales)\n")
		r = mustCLI(t, "users", "add", "-data", data, "-id", "carol", "-name", "Carol Two", "-groups", "sales,emea",
			"-analyst", "-trainings", "content-contributor")
		is.Equal(r.stdout, "saved user carol (roles: analyst; groups: emea,sales; trainings: content-contributor)\n")
	})
}

func TestTokensCreate(t *testing.T) {
	data := t.TempDir()
	t.Run("unknown user", func(t *testing.T) {
		is := is.New(t)
		r := cli(t, "tokens", "create", "-data", data, "-user", "nobody")
		is.True(r.code != 0)
		is.Equal(r.stdout, "")
		is.True(strings.Contains(r.stderr, `briefcase: `))
		is.True(strings.Contains(r.stderr, "nobody"))
	})
	t.Run("missing user", func(t *testing.T) {
		is := is.New(t)
		r := cli(t, "tokens", "create", "-data", data)
		is.Equal(r.code, 2)
		is.Equal(r.stdout, "")
	})
	t.Run("ttl", func(t *testing.T) {
		mustCLI(t, "users", "add", "-data", data, "-id", "dave")
		r := mustCLI(t, "tokens", "create", "-data", data, "-user", "dave", "-name", "ci", "-ttl", "24h")
		if !tokenLine.MatchString(r.stdout) {
			t.Fatalf("stdout is not one token line: %q", r.stdout)
		}
	})
}

// The tests below call run in-process: usage handling needs no child.

func runInProcess(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	if err != nil {
		fmt.Fprintf(&errOut, "briefcase: %v\n", err)
	}
	return out.String(), errOut.String(), exitCode(err)
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"users"}, 2, "want: users add"},
		{[]string{"tokens", "delete"}, 2, "want: tokens create"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"serve", "-h"}, 0, "-addr"},
		{[]string{"users", "add", "-h"}, 0, "-trainings"},
		{[]string{"tokens", "create", "-h"}, 0, "-ttl"},
		{[]string{"migrate", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve", "-addr"}, 2, "flag needs an argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			is := is.New(t)
			stdout, stderr, code := runInProcess(tt.args...)
			is.Equal(code, tt.code)
			is.Equal(stdout, "")
			is.True(strings.Contains(stderr, tt.inStderr))
		})
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	is := is.New(t)
	e := &cmdEnv{getenv: func(k string) string {
		return map[string]string{"BRIEFCASE_DATA": "/srv/bc", "BRIEFCASE_ADDR": ":9000", "BRIEFCASE_DEMO": "1"}[k]
	}, stderr: io.Discard}
	fs := e.flagSet("serve", "serve")
	data := e.dataFlag(fs)
	is.NoErr(e.parse(fs, nil))
	is.Equal(*data, "/srv/bc") // env over the default
	is.True(e.envBool("BRIEFCASE_DEMO"))

	fs = e.flagSet("serve", "serve")
	data = e.dataFlag(fs)
	is.NoErr(e.parse(fs, []string{"-data", "/tmp/x"}))
	is.Equal(*data, "/tmp/x") // the flag over env
}

// waitLog waits until the server logged a line containing s.
func (s *server) waitLog(substr string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.Stderr(), substr) {
		if time.Now().After(deadline) {
			s.t.Fatalf("server never logged %q:\n%s", substr, s.Stderr())
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not waiting for time to pass
	}
}

// firstRead signals once when its reader is first read.
type firstRead struct {
	r    io.Reader
	once sync.Once
	read chan struct{}
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(func() { close(f.read) })
	return f.r.Read(p)
}

func TestServeShutdownFinishesRequestsInFlight(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()
	mustCLI(t, "users", "add", "-data", data, "-id", "alice", "-admin", "-trainings", "content-contributor")
	srv := startServer(t, "-data", data, "-addr", "127.0.0.1:0")
	alice := client{t: t, base: srv.url, token: createToken(t, data, "alice")}
	spot := alice.must(201, "POST", "/api/v1/spots", map[string]any{"name": "Decks"})
	item := alice.must(201, "POST", "/api/v1/items", map[string]any{"spot_id": spot["id"], "kind": "document", "title": "Deck"})

	// An upload whose handler is running (it asked for the body with
	// "100 Continue") when SIGTERM arrives, and whose body arrives only after
	// the server began shutting down.
	pr, pw := io.Pipe()
	body := &firstRead{r: pr, read: make(chan struct{})}
	mw := multipart.NewWriter(pw)
	req, err := http.NewRequest("POST", srv.url+"/api/v1/items/"+item["id"].(string)+"/versions", body)
	is.NoErr(err)
	req.Header.Set("Authorization", "Bearer "+alice.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Expect", "100-continue")
	transport := &http.Transport{ExpectContinueTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	status := make(chan int, 1)
	go func() {
		resp, err := (&http.Client{Transport: transport}).Do(req)
		if err != nil {
			t.Errorf("upload: %v", err)
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()

	<-body.read // the handler is reading the body
	is.NoErr(srv.cmd.Process.Signal(syscall.SIGTERM))
	srv.waitLog(`msg="shutting down"`)
	fw, err := mw.CreateFormFile("file", "deck.md")
	is.NoErr(err)
	_, err = fw.Write([]byte("# Deck\n"))
	is.NoErr(err)
	is.NoErr(mw.Close())
	is.NoErr(pw.Close())

	is.Equal(<-status, 201) // finished, not cut off
	select {
	case <-srv.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not exit after the last request:\n%s", srv.Stderr())
	}
	is.Equal(srv.cmd.ProcessState.ExitCode(), 0)
}

func TestServeCannotListen(t *testing.T) {
	is := is.New(t)
	r := cli(t, "serve", "-data", t.TempDir(), "-addr", "127.0.0.1:99999")
	is.Equal(r.code, 1)
	is.True(strings.Contains(r.stderr, "briefcase: listen:"))
}

func TestSearchAndReindex(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()
	srv := startServer(t, "-data", data, "-addr", "127.0.0.1:0", "-demo")
	token := regexp.MustCompile(`bc_[A-Za-z0-9_-]{20,}`).FindString(srv.Stderr())
	demo := client{t: t, base: srv.url, token: token}
	// The server's index holds the demo data: everything browses.
	is.Equal(demo.must(200, "GET", "/api/v1/search", nil)["total"], float64(len(demoItems)))
	title := demoItems[0].in.Title
	hits := demo.must(200, "GET", "/api/v1/search?q="+url.QueryEscape(`title:"`+title+`"`), nil)["hits"].([]any)
	is.True(len(hits) >= 1)
	is.Equal(hits[0].(map[string]any)["item"].(map[string]any)["title"], title)
	// Malformed queries say where.
	r := demo.do("GET", "/api/v1/search?q="+url.QueryEscape("(pricing"), nil)
	is.Equal(r.status, 400)

	// While the server holds the index, the CLI refuses and says what to do.
	busy := cli(t, "reindex", "-data", data)
	is.Equal(busy.code, 1)
	is.True(strings.Contains(busy.stderr, "POST /api/v1/search/reindex"))
	is.Equal(demo.must(200, "POST", "/api/v1/search/reindex", nil)["indexed"], float64(len(demoItems)))
	is.Equal(srv.stop(), 0)

	// Stopped, the CLI rebuilds it; the next server serves the rebuilt index.
	out := mustCLI(t, "reindex", "-data", data)
	is.True(strings.HasPrefix(out.stdout, fmt.Sprintf("indexed %d item(s) in ", len(demoItems))))
	srv = startServer(t, "-data", data, "-addr", "127.0.0.1:0")
	demo.base = srv.url
	is.Equal(demo.must(200, "GET", "/api/v1/search", nil)["total"], float64(len(demoItems)))
	is.Equal(srv.stop(), 0)
}

func TestServeSharesEndToEnd(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()
	mustCLI(t, "users", "add", "-data", data, "-id", "sam", "-name", "Sam Seller", "-email", "sam@example.com",
		"-trainings", "content-contributor")
	sam := client{t: t, token: createToken(t, data, "sam")}
	srv := startServer(t, "-data", data, "-addr", "127.0.0.1:0")
	sam.base = srv.url
	buyer := client{t: t, base: srv.url}

	spot := sam.must(201, "POST", "/api/v1/spots", map[string]any{"name": "Deals", "kind": "team"})
	deck := sam.must(201, "POST", "/api/v1/items", map[string]any{"spot_id": spot["id"], "kind": "document",
		"title": "Platform overview", "audience": "external"})
	deckID := deck["id"].(string)
	is.Equal(sam.upload(deckID, "overview.md", []byte("# Platform\n\nWhat it does.")).status, 201)
	secret := sam.must(201, "POST", "/api/v1/items", map[string]any{"spot_id": spot["id"], "kind": "document",
		"title": "Discount matrix"})

	// Internal content is refused, by name.
	r := sam.do("POST", "/api/v1/pitches", map[string]any{"title": "For Acme", "items": []string{secret["id"].(string)},
		"recipients": []string{"buyer@acme.com"}})
	is.Equal(r.status, 400)
	_, fields := r.apiError(t)
	is.True(fields["items"] != nil)

	pitch := sam.must(201, "POST", "/api/v1/pitches", map[string]any{"title": "For Acme", "message": "As promised",
		"items": []string{deckID}, "recipients": []string{"buyer@acme.com"}})
	links := pitch["links"].([]any)
	is.Equal(len(links), 1)
	url := links[0].(map[string]any)["url"].(string)
	is.True(strings.HasPrefix(url, srv.url+"/p/")) // built on the server's own address
	path := strings.TrimPrefix(url, srv.url)

	// The buyer opens it on the same server, without logging in, in a
	// browser (Go's own user agent would be marked as a bot).
	req, err := http.NewRequest("GET", srv.url+path, nil)
	is.NoErr(err)
	req.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
	page := buyer.send(req)
	is.Equal(page.status, 200)
	is.True(strings.Contains(string(page.body), "Platform overview"))
	is.True(strings.Contains(string(page.body), "As promised"))
	is.True(!strings.Contains(string(page.body), "Discount matrix"))
	m := regexp.MustCompile(`data-beacon-token="([^"]+)"`).FindSubmatch(page.body)
	is.True(m != nil)
	beacon := buyer.do("POST", path+"/beacon", map[string]any{"token": html.UnescapeString(string(m[1])),
		"beacons": []map[string]any{{"seq": 1, "item_id": deckID, "page": 1, "active_ms": 800}}})
	is.Equal(beacon.status, 200)
	is.Equal(beacon.json(t)["accepted"], float64(1))

	got := sam.must(200, "GET", "/api/v1/pitches/"+pitch["id"].(string), nil)
	eng := got["engagement"].(map[string]any)
	is.Equal(eng["views"], float64(1))
	is.Equal(eng["bot_views"], float64(0))
	is.Equal(eng["active_ms"], float64(800))

	// Revoked: the link answers 410 on every path.
	sam.must(200, "POST", "/api/v1/pitches/"+pitch["id"].(string)+"/revoke", nil)
	is.Equal(buyer.do("GET", path, nil).status, 410)
	is.Equal(buyer.do("GET", path+"/items/"+deckID, nil).status, 410)
	is.Equal(buyer.do("POST", path+"/beacon", map[string]any{"token": html.UnescapeString(string(m[1])),
		"beacons": []map[string]any{{"seq": 2, "item_id": deckID, "page": 1, "active_ms": 800}}}).status, 410)
	is.Equal(srv.stop(), 0)

	// With -public-url, links are built on it.
	srv2 := startServer(t, "-data", data, "-addr", "127.0.0.1:0", "-public-url", "https://briefcase.example.com/")
	sam.base = srv2.url
	p2 := sam.must(201, "POST", "/api/v1/pitches", map[string]any{"title": "Again", "items": []string{deckID},
		"recipients": []string{"buyer@acme.com"}})
	is.True(strings.HasPrefix(p2["links"].([]any)[0].(map[string]any)["url"].(string), "https://briefcase.example.com/p/"))
	is.Equal(srv2.stop(), 0)
	is.Equal(cli(t, "serve", "-data", data, "-public-url", "briefcase.example.com/x").code, 2)
}

func TestServeInfluenceFromCSV(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()
	mustCLI(t, "users", "add", "-data", data, "-id", "sam", "-name", "Sam Seller", "-email", "sam@example.com",
		"-trainings", "content-contributor", "-analyst")
	sam := client{t: t, token: createToken(t, data, "sam")}
	crm := t.TempDir()
	today := time.Now().UTC().Format(time.DateOnly)
	for name, body := range map[string]string{
		"accounts.csv":      "id,name\nA1,Acme\n",
		"opportunities.csv": "id,account_id,name,amount,currency,stage,closed,won,close_date\nO1,A1,Acme platform,1200.50,EUR,Closed Won,true,true," + today + "\n",
		"contacts.csv":      "opportunity_id,email\nO1,buyer@acme.com\n",
	} {
		is.NoErr(os.WriteFile(filepath.Join(crm, name), []byte(body), 0o600))
	}
	srv := startServer(t, "-data", data, "-addr", "127.0.0.1:0", "-crm-csv", crm)
	sam.base = srv.url

	spot := sam.must(201, "POST", "/api/v1/spots", map[string]any{"name": "Deals", "kind": "team"})
	deck := sam.must(201, "POST", "/api/v1/items", map[string]any{"spot_id": spot["id"], "kind": "document",
		"title": "Platform overview", "audience": "external"})
	pitch := sam.must(201, "POST", "/api/v1/pitches", map[string]any{"title": "For Acme", "items": []string{deck["id"].(string)},
		"recipients": []string{"buyer@acme.com"}})
	url := pitch["links"].([]any)[0].(map[string]any)["url"].(string)
	req, err := http.NewRequest("GET", url, nil)
	is.NoErr(err)
	req.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
	is.Equal(client{t: t}.send(req).status, 200) // the buyer engages

	// The server records in the background: the credit shows within seconds.
	deadline := time.Now().Add(20 * time.Second)
	var sellers []any
	for time.Now().Before(deadline) {
		rep := sam.must(200, "GET", "/api/v1/analytics/reports/influence", nil)
		if sellers, _ = rep["sellers"].([]any); len(sellers) > 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	is.Equal(len(sellers), 1)
	line := sellers[0].(map[string]any)
	is.Equal(line["seller"], "sam")
	is.Equal(line["amount_cents"], float64(120050))
	is.Equal(line["currency"], "EUR")
	is.Equal(srv.stop(), 0)

	// A broken CRM file stops the server at start, naming the file and line.
	is.NoErr(os.WriteFile(filepath.Join(crm, "opportunities.csv"), []byte("id,account_id,name,amount,currency,stage,closed,won,close_date\nO1,A1,X,12.345,EUR,,true,true,"+today+"\n"), 0o600))
	r := cli(t, "serve", "-data", data, "-addr", "127.0.0.1:0", "-crm-csv", crm)
	is.Equal(r.code, 1)
	is.True(strings.Contains(r.stderr, "opportunities.csv:2"))
}
