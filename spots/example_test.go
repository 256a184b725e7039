package spots_test

import (
	"fmt"

	"github.com/briefcasehq/briefcase/spots"
)

// A seller in the sales group may view and share a restricted spot the group
// is a viewer of, but not edit it; the decision says why.
func ExampleEvaluate() {
	seller := spots.Principal{ID: "sam", Groups: []string{"sales"}}
	spot := spots.Spot{ID: "plays", Name: "Sales Plays", Kind: spots.KindGTM, Visibility: spots.Restricted}
	grants := []spots.Grant{
		{SpotID: "plays", Subject: spots.User("olivia"), Role: spots.Owner},
		{SpotID: "plays", Subject: spots.Group("sales"), Role: spots.Viewer},
	}
	fmt.Println(spots.Evaluate(seller, spot, grants, spots.ActionShare))
	fmt.Println(spots.Evaluate(seller, spot, grants, spots.ActionEdit))

	// An editor grant without the content-contributor training acts as viewer.
	grants = append(grants, spots.Grant{SpotID: "plays", Subject: spots.User("sam"), Role: spots.Editor})
	fmt.Println(spots.Evaluate(seller, spot, grants, spots.ActionEdit))

	// Admins may act anyway, as an override the caller audits.
	admin := spots.Principal{ID: "ada", Roles: []spots.PlatformRole{spots.Admin}}
	d := spots.Evaluate(admin, spot, grants, spots.ActionDelete)
	fmt.Println(d, "override:", d.Override)
	// Output:
	// allow share: group:sales holds viewer
	// deny edit: group:sales holds viewer; edit needs editor or stronger
	// deny edit: group:sales holds viewer; user:sam holds editor (capped to viewer: content-contributor training not completed); edit needs editor or stronger
	// allow delete: spot is restricted and no grant applies; admin override override: true
}
