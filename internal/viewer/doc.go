// Package viewer serves the public pages buyers open from a pitch or room
// link: the share page, its items page by page, files, downloads, the gate
// forms, and the engagement beacons the page sends back.
//
//	h := viewer.New(viewer.Config{Shares: lib.Shares})
//	mux.Handle("/p/", h) // mounted at the root: cookies are scoped to /p/{token}
//
// # Routes
//
//	GET  /p/{token}                           the pitch or room page (opens one View)
//	POST /p/{token}/gate/email                send a one-time code to an address
//	POST /p/{token}/gate/code                 check it; sets the session cookie
//	POST /p/{token}/gate/passcode             check the passcode; sets the session cookie
//	GET  /p/{token}/items/{itemID}            one item, page by page (?page=n); ?part=stage for the in-page viewer
//	GET  /p/{token}/items/{itemID}/pages/{n}  a page image, or that page's text without a renderer
//	GET  /p/{token}/items/{itemID}/file       the file, inline
//	GET  /p/{token}/items/{itemID}/download   the file as an attachment (when downloads are allowed)
//	GET  /p/{token}/items/{itemID}/go         follow a link item (recorded as a click), 302
//	POST /p/{token}/beacon                    engagement beacons (JSON, or text/plain from sendBeacon)
//	GET  /p/_static/{file}                    the page's script and style sheet
//
// Every route but the static files resolves the link first, with the gate
// session cookie, so revocation, expiry, gates and allow/deny lists are
// checked on every request; item routes then go through the share service,
// which re-checks the item (still in the share, external, published).
//
// # One view per visit
//
// Only the share page opens a View. Its items are shown in place: the page
// fetches an item's viewer as an HTML fragment and swaps it in, so the
// whole visit reports to the one view with the beacon token the page was
// given. An item page opened on its own (a new tab, no script) shows the
// item but is not tracked: it carries no beacon token.
//
// The script reports {seq, item_id, page, active_ms} deltas every
// BeaconInterval while the reader is active, on a page or item change, when
// the tab is hidden and on pagehide (navigator.sendBeacon, falling back to
// fetch with keepalive). Time counts while the tab is visible and until
// IdleAfter has passed since the last input (mouse, keys, scroll, touch,
// wheel). Beacons that fail to arrive are sent again with their seq; the
// service drops the duplicates.
//
// # Security
//
// Every answer carries Referrer-Policy: no-referrer (the token is in the
// URL), Cache-Control: no-store (but the static files) and
// X-Content-Type-Options: nosniff. Pages carry a Content-Security-Policy of
// 'self' only, frame-ancestors 'none'; frame-src adds exactly the origins
// of the link and track items of the share, which open in place in a
// sandboxed iframe. Files are served inline with their stored type under
// frame-ancestors 'self'; HTML, SVG and XML uploads (and text, images and
// media) are served under Content-Security-Policy: sandbox (no script, an
// opaque origin), PDFs without it (browsers refuse to show a sandboxed PDF;
// they run a PDF's scripts in their own viewer), and files
// a browser cannot show (office documents, archives) are refused inline
// unless they may be downloaded. The gate session cookie is HttpOnly,
// SameSite=Lax, Path=/p/{token}, and Secure over TLS; gate forms refuse
// cross-site posts (Sec-Fetch-Site, or Origin when that is absent: under
// no-referrer a browser's same-origin post says Origin: null).
package viewer
