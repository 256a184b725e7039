package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// adminLogger is the logger of the one-shot commands: warnings and errors
// only, on stderr, so stdout stays for the command's answer.
func (e *cmdEnv) adminLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func (e *cmdEnv) migrate(ctx context.Context, args []string) error {
	fs := e.flagSet("migrate", "migrate [-data DIR]")
	data := e.dataFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *data, sqlitestore.Options{SkipMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	before, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	after, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); %s is at schema version %d\n", after-before, db.Path(), after)
	return nil
}

// splitList splits a comma-separated flag value, dropping empty entries.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (e *cmdEnv) usersAdd(ctx context.Context, args []string) error {
	fs := e.flagSet("users add",
		`users add -data DIR -id ID [-name "First Last"] [-email E] [-groups a,b] [-admin] [-analyst] [-trainings t1,t2]

Creates the user, or updates it when the ID exists: name, e-mail, groups
and platform roles are replaced by the flags given; trainings are added.`)
	data := e.dataFlag(fs)
	id := fs.String("id", "", "stable user ID, the SSO subject (required)")
	name := fs.String("name", "", `display name, e.g. "Alice Smith"`)
	email := fs.String("email", "", "e-mail address")
	groups := fs.String("groups", "", "comma-separated groups, e.g. sales,emea")
	admin := fs.Bool("admin", false, "grant the admin platform role (sees and manages everything)")
	analyst := fs.Bool("analyst", false, "grant the analyst platform role (reads every report)")
	trainings := fs.String("trainings", "",
		"comma-separated completed trainings to record, e.g. "+spots.TrainingContentContributor+
			" (required to edit or own spots)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*id) == "" {
		fs.Usage()
		return usagef("users add: -id is required")
	}

	dd, err := openDataDir(ctx, *data, e.adminLogger(), false)
	if err != nil {
		return err
	}
	defer dd.Close()

	p := spots.Principal{ID: *id, Name: *name, Email: *email, Groups: splitList(*groups)}
	if *admin {
		p.Roles = append(p.Roles, spots.Admin)
	}
	if *analyst {
		p.Roles = append(p.Roles, spots.Analyst)
	}
	sys := briefcase.SystemContext(ctx)
	// Trainings are only ever added here, and saved with the user in one
	// write, so a bad training name leaves no half-made user behind.
	if existing, err := dd.lib.Spots.GetPrincipal(sys, p.ID); err == nil {
		p.Trainings = existing.Trainings
	} else if !errors.Is(err, spots.ErrNotFound) {
		return err
	}
	for _, t := range splitList(*trainings) {
		if !p.HasTraining(t) {
			p.Trainings = append(p.Trainings, spots.Training{Name: t})
		}
	}
	saved, err := dd.lib.Spots.SavePrincipal(sys, p)
	if err != nil {
		return err
	}
	if err := dd.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "saved user %s%s\n", saved.ID, describePrincipal(saved))
	return nil
}

// describePrincipal summarises roles, groups and trainings for the CLI.
func describePrincipal(p spots.Principal) string {
	var parts []string
	if len(p.Roles) > 0 {
		r := make([]string, len(p.Roles))
		for i, v := range p.Roles {
			r[i] = string(v)
		}
		parts = append(parts, "roles: "+strings.Join(r, ","))
	}
	if len(p.Groups) > 0 {
		parts = append(parts, "groups: "+strings.Join(p.Groups, ","))
	}
	if len(p.Trainings) > 0 {
		t := make([]string, len(p.Trainings))
		for i, v := range p.Trainings {
			t[i] = v.Name
		}
		parts = append(parts, "trainings: "+strings.Join(t, ","))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func (e *cmdEnv) tokensCreate(ctx context.Context, args []string) error {
	fs := e.flagSet("tokens create",
		`tokens create -data DIR -user ID [-name NAME] [-ttl DURATION]

Prints the new API token alone on stdout. It is shown only once: the
store keeps only its hash. Use it as "Authorization: Bearer <token>".`)
	data := e.dataFlag(fs)
	user := fs.String("user", "", "ID of the user the token acts as (required)")
	name := fs.String("name", "cli", "label to recognise the token by")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h; 0 never expires")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*user) == "" {
		fs.Usage()
		return usagef("tokens create: -user is required")
	}
	if *ttl < 0 {
		return usagef("tokens create: -ttl must not be negative")
	}

	dd, err := openDataDir(ctx, *data, e.adminLogger(), false)
	if err != nil {
		return err
	}
	defer dd.Close()
	secret, _, err := dd.lib.Tokens.Create(briefcase.SystemContext(ctx), *user, *name, *ttl)
	if err != nil {
		return err
	}
	if err := dd.Close(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func (e *cmdEnv) demo(ctx context.Context, args []string) error {
	fs := e.flagSet("demo", `demo [-data DIR] [-addr HOST:PORT]

Loads the demo data set (users, spots, lists, items) when the store has no
spots yet, and prints an API token for the demo admin.`)
	data := e.dataFlag(fs)
	addr := fs.String("addr", e.envOr("BRIEFCASE_ADDR", "127.0.0.1:8080"),
		"address the server will listen on, for the printed examples (env BRIEFCASE_ADDR)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	dd, err := openDataDir(ctx, *data, e.adminLogger(), false)
	if err != nil {
		return err
	}
	defer dd.Close()
	if err := loadDemo(ctx, dd.lib, e.stderr, "http://"+*addr); err != nil {
		return err
	}
	return dd.Close()
}
