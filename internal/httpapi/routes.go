package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/share"
)

// routes registers the whole surface. Every /api/v1 route is authenticated;
// a path no route takes is a JSON 404, a known path with another method a
// JSON 405 (see fallback).
func (a *api) routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", http.HandlerFunc(a.healthz))
	mux.Handle("GET /readyz", a.serve(a.readyz))
	if a.cfg.Metrics != nil {
		// Unauthenticated like /healthz: Prometheus scrapes it without an
		// API token, and it holds counts and timings by route pattern,
		// never content, IDs or names. Operators who want it private
		// restrict it at the network level (the proxy or firewall).
		mux.Handle("GET /metrics", a.cfg.Metrics.Handler())
	}

	route := func(pattern string, h handlerFunc) { mux.Handle(pattern, a.authed(h)) }

	// The caller.
	route("GET /api/v1/me", a.getMe)
	route("GET /api/v1/me/bookmarks", a.listBookmarks)
	route("GET /api/v1/me/notices", a.governed(a.listNotices))
	route("PUT /api/v1/me/bookmarks/{itemID}", a.putBookmark)
	route("DELETE /api/v1/me/bookmarks/{itemID}", a.deleteBookmark)

	// Spots and their members.
	route("POST /api/v1/spots", a.createSpot)
	route("GET /api/v1/spots", a.listSpots)
	route("GET /api/v1/spots/{id}", a.getSpot)
	route("PATCH /api/v1/spots/{id}", a.updateSpot)
	route("DELETE /api/v1/spots/{id}", a.deleteSpot)
	route("GET /api/v1/spots/{id}/members", a.listMembers)
	route("PUT /api/v1/spots/{id}/members/{subject}", a.putMember)
	route("DELETE /api/v1/spots/{id}/members/{subject}", a.deleteMember)
	route("GET /api/v1/spots/{id}/policy", a.governed(a.getPolicy))
	route("PUT /api/v1/spots/{id}/policy", a.governed(a.putPolicy))

	// Items, their versions and placements.
	route("POST /api/v1/items", a.createItem)
	route("GET /api/v1/items", a.listItems)
	route("GET /api/v1/items/{id}", a.getItem)
	route("PATCH /api/v1/items/{id}", a.updateItem)
	route("DELETE /api/v1/items/{id}", a.deleteItem)
	route("POST /api/v1/items/{id}/versions", a.uploadVersion)
	route("GET /api/v1/items/{id}/versions", a.listVersions)
	route("GET /api/v1/items/{id}/content", a.downloadContent)
	route("POST /api/v1/items/{id}/verify", a.verifyItem)
	route("PUT /api/v1/items/{id}/placements/{spotID}", a.putPlacement)
	route("DELETE /api/v1/items/{id}/placements/{spotID}", a.deletePlacement)

	// The list taxonomy.
	route("POST /api/v1/list-groups", a.createListGroup)
	route("GET /api/v1/list-groups", a.listListGroups)
	route("POST /api/v1/lists", a.createList)
	route("PATCH /api/v1/lists/{id}", a.updateList)
	route("DELETE /api/v1/lists/{id}", a.deleteList)
	route("PUT /api/v1/lists/{id}/items/{itemID}", a.putListItem)
	route("DELETE /api/v1/lists/{id}/items/{itemID}", a.deleteListItem)

	// Search.
	route("GET /api/v1/search", a.search)
	route("GET /api/v1/search/explain", a.explainSearch)
	route("POST /api/v1/search/reindex", a.reindex)

	// Shares (shares.go): pitches and rooms, their links and engagement.
	// Link settings go under "settings" or flattened beside the other
	// fields; a link's token is shown once, in the url of the answer that
	// creates it. A pitch's ID on a rooms route is not found, and the other
	// way round.
	pitch, room := share.KindPitch, share.KindRoom
	route("POST /api/v1/pitches", a.createPitch)
	route("GET /api/v1/pitches", a.listShares(pitch))
	route("GET /api/v1/pitches/{id}", a.getShare(pitch))
	route("POST /api/v1/pitches/{id}/revoke", a.revokeShare(pitch))
	route("POST /api/v1/pitches/{id}/links", a.addLink(pitch))
	route("POST /api/v1/pitches/{id}/links/{linkID}/revoke", a.revokeLink(pitch))
	route("POST /api/v1/rooms", a.createRoom)
	route("GET /api/v1/rooms", a.listShares(room))
	route("GET /api/v1/rooms/{id}", a.getShare(room))
	route("PATCH /api/v1/rooms/{id}", a.updateRoom)
	route("PUT /api/v1/rooms/{id}/contributors/{userID}", a.putContributor)
	route("DELETE /api/v1/rooms/{id}/contributors/{userID}", a.deleteContributor)
	route("POST /api/v1/rooms/{id}/revoke", a.revokeShare(room))
	route("POST /api/v1/rooms/{id}/links", a.addLink(room))
	route("POST /api/v1/rooms/{id}/links/{linkID}/revoke", a.revokeLink(room))

	// Governance (governance.go): approvals, archive and restore, the
	// sweep, the compliance report (?format=csv for CSV) and the audit
	// log; spot policies and notices are beside spots and the caller.
	route("POST /api/v1/items/{id}/approve", a.governed(a.approveItem))
	route("POST /api/v1/items/{id}/reject", a.governed(a.rejectItem))
	route("POST /api/v1/items/{id}/archive", a.governed(a.archiveItem))
	route("POST /api/v1/items/{id}/restore", a.governed(a.restoreItem))
	route("GET /api/v1/governance/reviews", a.governed(a.listReviews))
	route("POST /api/v1/governance/sweep", a.governed(a.sweep))
	route("GET /api/v1/governance/report", a.governed(a.complianceReport))
	route("GET /api/v1/audit", a.governed(a.listAudit))

	// Analytics (analytics.go): an item's numbers, trending and popular
	// items, and the reports, as JSON or, with ?format=csv, CSV.
	route("GET /api/v1/analytics/items/{id}", a.itemAnalytics)
	route("GET /api/v1/analytics/trending", a.ranked(false))
	route("GET /api/v1/analytics/popular", a.ranked(true))
	route("GET /api/v1/analytics/reports/content", a.contentReport)
	route("GET /api/v1/analytics/reports/pitches", a.pitchReport)
	route("GET /api/v1/analytics/reports/spots", a.spotReport)
	route("GET /api/v1/analytics/reports/unused", a.unusedReport)
	route("GET /api/v1/analytics/reports/search-gaps", a.searchGapReport)
	route("GET /api/v1/analytics/reports/sellers", a.sellerReport)
	route("GET /api/v1/analytics/reports/influence", a.influenceReport)
	route("DELETE /api/v1/analytics/recipients/{email}", a.eraseRecipient)

	// Users (admins) and API tokens.
	route("GET /api/v1/users", a.listUsers)
	route("PUT /api/v1/users/{id}", a.putUser)
	route("POST /api/v1/users/{id}/trainings/{name}", a.recordTraining)
	route("DELETE /api/v1/users/{id}/trainings/{name}", a.revokeTraining)
	route("POST /api/v1/users/{id}/revoke-editor", a.governed(a.revokeEditor))
	route("POST /api/v1/tokens", a.createToken)
}
