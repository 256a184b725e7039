// Package items manages content: items with their properties, immutable
// versions stored through Blobs, placements in more spots, lists and list
// groups, and bookmarks.
//
// An item lives in one home spot and may be placed in others; a principal
// can view it when it can view any of them (spots.Evaluate), and edits it
// with editor on its home spot. Drafts, items in review, scheduled and
// archived items are seen only by editors of the home spot.
//
// Internal content is the safe default: it is never downloadable, never
// shared (Evaluate, Shareable), and when a request asks for internal and
// downloadable at once, the most restrictive setting wins. Every upload is a
// new immutable Version; the item points at its current one. An Extractor
// (Options.Extractor; the extract package is the default) reads each upload's
// text into Version.Pages for search; a file it cannot read is stored
// without text, never refused.
//
// Service holds every rule; Store holds data and receives the spots a caller
// may see as an explicit filter, never the caller.
package items
