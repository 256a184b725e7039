// Package spots decides who may do what with Briefcase content: spots (the
// places content lives), roles granted on them to users or groups, platform
// roles, and principals with their trainings.
//
// The heart is Evaluate, a pure function from (principal, spot, grants,
// action) to a Decision that carries the grant chain explaining it:
//
//	d := spots.Evaluate(seller, spot, grants, spots.ActionShare)
//	fmt.Println(d) // allow share: group:sales holds viewer
//
// Roles, strongest first: owner (exactly one, always a user), coowner,
// editor, viewer. Viewers view and share external content; editors also edit
// and grant editor or viewer; coowners and owners also grant coowner and
// delete the spot. Editor and stronger roles need the content-contributor
// training: Evaluate caps a principal without it to viewer, so revoking the
// training takes the rights away at once. Public spots are viewable by
// everyone. Every principal has one personal spot, private to it; admins
// reach anything, as an override their callers audit.
//
// Service holds the rules that need storage (one owner, who may grant what,
// personal spots made on first use, audit entries in the same transaction)
// over a Store that holds data only.
package spots
