// Package unittest shows how to unit test application code that uses
// Briefcase: build a real Library over the in-memory store
// (store/memstore) in each test, seed it through the services, and assert
// through the services too. No database, no HTTP, no mocks to keep in step
// with the real rules.
//
// The application code here is Onboarding, which a hiring workflow calls for
// every new hire; onboarding_test.go tests it.
package unittest

import (
	"context"
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// PlanReview is how long an onboarding plan stays current: it expires at
// the end of the hire's first 90 days.
const PlanReview = 90 * 24 * time.Hour

// Onboarding publishes an onboarding plan for new hires into a team spot.
type Onboarding struct {
	Lib *briefcase.Library
	// SpotID is the restricted team spot holding onboarding material.
	SpotID string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Welcome gives the hire viewer access to the onboarding spot and publishes
// an internal link item to the hire's onboarding plan there, expiring after
// PlanReview. It acts as the principal in ctx (the hiring manager), who
// must be able to edit the spot and manage its members; the hire must be a
// known user.
func (o Onboarding) Welcome(ctx context.Context, hire spots.Principal, planURL string) (items.Item, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if _, err := o.Lib.Spots.Grant(ctx, o.SpotID, spots.User(hire.ID), spots.Viewer); err != nil {
		return items.Item{}, fmt.Errorf("onboarding: give %s access: %w", hire.ID, err)
	}
	it, err := o.Lib.Items.Create(ctx, items.NewItem{
		SpotID:      o.SpotID,
		Kind:        items.KindLink,
		Title:       "Onboarding plan: " + hire.Name,
		Description: fmt.Sprintf("%s's plan for the first 90 days: accounts to shadow, trainings, first pitches.", hire.FirstName()),
		Audience:    items.Internal,
		Labels:      []string{"onboarding"},
		Source:      items.Source{Type: items.SourceURL, URL: planURL},
		ExpiresAt:   now().Add(PlanReview),
	})
	if err != nil {
		return items.Item{}, fmt.Errorf("onboarding: plan for %s: %w", hire.ID, err)
	}
	return it, nil
}
