package searchtest

import (
	"context"
	"errors"

	"github.com/briefcasehq/briefcase/search"
)

var lifecycleTests = []subtest{
	{"Close", testClose},
	{"CommitAfterClose", testCommitAfterClose},
	{"CancelledContext", testCancelledContext},
}

func testClose(e *env) {
	e.load()
	noErr(e.t, e.ix.Close(), "Close")
	q := search.EngineQuery{Filter: everything(), Limit: 10}
	_, err := e.ix.Search(e.ctx, q)
	isErr(e.t, err, search.ErrClosed, "Search after Close")
	_, err = e.ix.Explain(e.ctx, q, "globex-battlecard")
	isErr(e.t, err, search.ErrClosed, "Explain after Close")
	isErr(e.t, e.ix.Index(e.ctx, library()[:1], nil, e.seq+1), search.ErrClosed, "Index after Close")
	_, err = e.ix.AppliedSeq(e.ctx)
	isErr(e.t, err, search.ErrClosed, "AppliedSeq after Close")
	_, err = e.ix.Count(e.ctx)
	isErr(e.t, err, search.ErrClosed, "Count after Close")
	_, err = e.ix.Rebuild(e.ctx)
	isErr(e.t, err, search.ErrClosed, "Rebuild after Close")
	if err := e.ix.Close(); err != nil && !errors.Is(err, search.ErrClosed) {
		e.t.Fatalf("a second Close: %v; want nil or an error wrapping ErrClosed", err)
	}
}

func testCommitAfterClose(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	noErr(e.t, e.ix.Close(), "Close with a build open")
	isErr(e.t, b.Commit(e.ctx, 9), search.ErrClosed, "Build.Commit after the index was closed")
	if err := b.Abort(); err != nil && !errors.Is(err, search.ErrClosed) {
		e.t.Fatalf("Build.Abort after the index was closed: %v; want nil or an error wrapping ErrClosed", err)
	}
}

// testCancelledContext: every call with a context that is already done
// returns its error (errors.Is context.Canceled) and changes nothing.
func testCancelledContext(e *env) {
	e.load()
	b := e.rebuild()
	e.add(b, rebuiltDocs())
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	cancelled := func(err error, what string) {
		e.t.Helper()
		isErr(e.t, err, context.Canceled, what+" with a cancelled context")
	}
	_, err := e.ix.Search(ctx, search.EngineQuery{Filter: everything(), Limit: 10})
	cancelled(err, "Search")
	_, err = e.ix.Explain(ctx, search.EngineQuery{Filter: everything()}, "globex-battlecard")
	cancelled(err, "Explain")
	cancelled(e.ix.Index(ctx, []search.Document{plain("cancelled", "Cancelled")}, ids("demo-video"), e.seq+1), "Index")
	_, err = e.ix.AppliedSeq(ctx)
	cancelled(err, "AppliedSeq")
	_, err = e.ix.Count(ctx)
	cancelled(err, "Count")
	_, err = e.ix.Rebuild(ctx)
	cancelled(err, "Rebuild")
	cancelled(b.Add(ctx, []search.Document{plain("cancelled", "Cancelled")}), "Build.Add")
	cancelled(b.Commit(ctx, 99), "Build.Commit")
	e.checkOld("after calls with a cancelled context", e.seq, libraryIDs())
	noErr(e.t, b.Abort(), "Build.Abort")
}
