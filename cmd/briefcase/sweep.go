package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/governance"
)

// sweep runs one governance sweep on a data directory: items move through
// their lifecycle and pending notices go out (through the notifiers the
// environment configures, see notifications). A running server sweeps
// every minute by itself; this is for cron jobs and for catching up. It is
// safe to run while the server runs: the sweep is idempotent and a notice
// is never recorded twice.
func (e *cmdEnv) sweep(ctx context.Context, args []string) error {
	fs := e.flagSet("sweep", "sweep [-data DIR]")
	data := e.dataFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	log := e.adminLogger()
	notes, err := e.notifications(log)
	if err != nil {
		return err
	}
	dd, err := openDataDir(ctx, *data, log, false, notes)
	if err != nil {
		return err
	}
	defer dd.Close()
	start := time.Now()
	res, err := dd.lib.Governance.Sweep(briefcase.SystemContext(ctx), time.Now())
	if err != nil {
		return err
	}
	if err := dd.Close(); err != nil {
		return err
	}
	out := struct {
		governance.SweepResult
		Took string `json:"took"`
	}{res, time.Since(start).Round(time.Millisecond).String()}
	enc := json.NewEncoder(e.stdout)
	return enc.Encode(out)
}
