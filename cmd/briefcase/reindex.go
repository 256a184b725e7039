package main

import (
	"context"
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase"
)

// reindex rebuilds the search index of a data directory from its database.
// The replacement is built beside the current index and swapped in at the
// end, so an interrupted reindex leaves the old index intact. The index
// belongs to one process: while a server runs on the directory, ask it
// instead (POST /api/v1/search/reindex, as an admin), and it keeps serving
// the old index until the new one is ready.
func (e *cmdEnv) reindex(ctx context.Context, args []string) error {
	fs := e.flagSet("reindex", "reindex [-data DIR]")
	data := e.dataFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	dd, err := openDataDir(ctx, *data, e.adminLogger(), true)
	if err != nil {
		return err
	}
	defer dd.Close()
	start := time.Now()
	sys := briefcase.SystemContext(ctx)
	n, err := dd.lib.Reindex(sys)
	if err != nil {
		return err
	}
	if _, err := dd.lib.CatchUp(sys); err != nil {
		return err
	}
	if err := dd.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "indexed %d item(s) in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
