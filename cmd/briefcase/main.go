// Command briefcase is the Briefcase reference server and its administration
// tool: one binary on SQLite and a local data directory.
//
//	briefcase serve   [-data DIR] [-addr HOST:PORT] [-demo]   run the server (the default)
//	briefcase migrate [-data DIR]                             apply database migrations
//	briefcase users add -data DIR -id ID [-name N] [-email E] [-groups a,b] [-admin] [-analyst] [-trainings t1,t2]
//	briefcase tokens create -data DIR -user ID [-name N] [-ttl DURATION]
//	briefcase demo    [-data DIR]                             load the demo data set
//	briefcase backup  [-data DIR] -out BACKUP                 copy the database and blobs to a new directory
//	briefcase version
//
// Every command takes its flags after its name; "-h" explains them. Flags
// win over the BRIEFCASE_* environment variables, which win over defaults.
// Errors print "briefcase: <message>" on stderr and exit 1; bad usage exits 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// version is set at build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/briefcase
var version = "dev"

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "briefcase: %v\n", err)
	}
	os.Exit(exitCode(err))
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitCode maps run's result to the process exit status.
func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}

// errHelp reports that -h was asked for and answered: exit status 0.
var errHelp = errors.New("help requested")

const usage = `Usage: briefcase <command> [flags]

Commands:
  serve          run the HTTP server (the default command)
  migrate        apply database migrations to the data directory
  reindex        rebuild the search index from the database
  sweep          run the governance sweep once (lifecycle moves and notices)
  backup         copy the database and blobs to a new directory (safe while serving)
  users add      create or update a user
  tokens create  issue an API token and print it on stdout
  demo           load the demo data set into an empty data directory
  version        print the version

Run "briefcase <command> -h" for the flags of a command.
`

// run is the whole program: main only wires it to the process. It returns
// when the command is done (serve: after a graceful shutdown, when ctx ends
// or SIGINT/SIGTERM arrives).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &cmdEnv{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	err := e.dispatch(ctx, args)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// cmdEnv is what every command gets from the process.
type cmdEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func (e *cmdEnv) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "-help" && args[0] != "--help" {
		return e.serve(ctx, args) // "briefcase" and "briefcase -addr ..." serve
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "migrate":
		return e.migrate(ctx, rest)
	case "reindex":
		return e.reindex(ctx, rest)
	case "sweep":
		return e.sweep(ctx, rest)
	case "backup":
		return e.backup(ctx, rest)
	case "users":
		if len(rest) == 0 || rest[0] != "add" {
			return usagef("users: unknown or missing subcommand (want: users add)")
		}
		return e.usersAdd(ctx, rest[1:])
	case "tokens":
		if len(rest) == 0 || rest[0] != "create" {
			return usagef("tokens: unknown or missing subcommand (want: tokens create)")
		}
		return e.tokensCreate(ctx, rest[1:])
	case "demo":
		return e.demo(ctx, rest)
	case "version":
		return e.version(rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(e.stderr, usage)
		return errHelp
	default:
		fmt.Fprint(e.stderr, usage)
		return usagef("unknown command %q", cmd)
	}
}

// flagSet returns a flag set for one command; parse it with e.parse.
func (e *cmdEnv) flagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: briefcase %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; -h prints the usage and returns errHelp, a bad flag
// prints the usage and returns a usage error. Positional arguments are
// refused: every command takes flags only.
func (e *cmdEnv) parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(e.stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return errHelp
	case err != nil:
		fs.Usage()
		return usagef("%s: %v", fs.Name(), err)
	case fs.NArg() > 0:
		fs.Usage()
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset or
// empty. Flags take their defaults from it, so a flag given wins.
func (e *cmdEnv) envOr(key, def string) string {
	if v := strings.TrimSpace(e.getenv(key)); v != "" {
		return v
	}
	return def
}

// envBool reads a boolean environment variable ("1", "true", ...); unset or
// unparsable is false.
func (e *cmdEnv) envBool(key string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(e.getenv(key)))
	return err == nil && b
}

// dataFlag adds the -data flag every command that opens a store has.
func (e *cmdEnv) dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", e.envOr("BRIEFCASE_DATA", defaultDataDir),
		"data directory holding briefcase.db and blobs/ (env BRIEFCASE_DATA)")
}

func (e *cmdEnv) version(args []string) error {
	fs := e.flagSet("version", "version")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, versionString())
	return nil
}

// versionString is "briefcase <version> [(<revision>[, modified])] <go version>".
func versionString() string {
	s := "briefcase " + version
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				modified = kv.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if modified == "true" {
				rev += ", modified"
			}
			s += " (" + rev + ")"
		}
	}
	return s + " " + runtime.Version()
}
