package blugesearch

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blugelabs/bluge"

	"github.com/briefcasehq/briefcase/search"
)

// Bluge field names. The text fields are named after the search.Field they
// index; ".2" fields hold pairs of common words (see pairs).
const (
	fieldID       = "_id"   // document ID: keyword, stored
	fieldInfo     = "_info" // stored only: the docInfo (encodeInfo)
	fieldSeq      = "_seq"  // stored only, on the meta document: the applied sequence
	fieldTitle    = "title"
	fieldTitle2   = "title.2"
	fieldDesc     = "description"
	fieldDesc2    = "description.2"
	fieldBody     = "body"
	fieldBody2    = "body.2"
	fieldSpot     = "spot"
	fieldList     = "list"
	fieldLabel    = "label"
	fieldAuthor   = "author"
	fieldOwner    = "owner"
	fieldType     = "type"
	fieldAudience = "audience"
)

// metaID is the ID of the one meta document, which carries the applied
// sequence in the same Bluge batch as the documents it covers. Document
// IDs never start with a NUL byte (Index refuses them).
const metaID = "\x00meta"

// textField maps a search.Field to its Bluge words field, and to its pairs
// field when it has one.
func textField(f search.Field) (words, pairs string) {
	switch f {
	case search.FieldTitle:
		return fieldTitle, fieldTitle2
	case search.FieldDescription:
		return fieldDesc, fieldDesc2
	case search.FieldBody:
		return fieldBody, fieldBody2
	case search.FieldSpot:
		return fieldSpot, ""
	case search.FieldList:
		return fieldList, ""
	case search.FieldLabel:
		return fieldLabel, ""
	case search.FieldAuthor:
		return fieldAuthor, ""
	case search.FieldOwner:
		return fieldOwner, ""
	}
	return "", ""
}

// blugeDocument is the Bluge document of d. Every value of a multi-valued
// field is its own field instance, and Bluge leaves a gap of 100 positions
// between instances of one field, so a phrase never spans two values.
// Title, description and body also index their pairs of common words.
func blugeDocument(d *search.Document, common commonSet) bluge.Document {
	doc := bluge.Document{
		bluge.NewKeywordField(fieldID, d.ID).StoreValue(),
		bluge.NewStoredOnlyField(fieldInfo, encodeInfo(d)),
	}
	text := func(wordsField, pairsField string, values ...string) {
		for _, v := range values {
			if v == "" {
				continue
			}
			vt := &valueTokens{text: v}
			doc = append(doc, bluge.NewTextField(wordsField, v).WithAnalyzer(words{vt}).SearchTermPositions())
			if pairsField != "" && len(common) > 0 {
				doc = append(doc, bluge.NewTextField(pairsField, v).WithAnalyzer(pairs{vt, common}).SearchTermPositions())
			}
		}
	}
	text(fieldTitle, fieldTitle2, d.Title, d.ExternalTitle)
	text(fieldDesc, fieldDesc2, d.Description, d.ExternalDescription)
	text(fieldBody, fieldBody2, d.Pages...)
	text(fieldSpot, "", d.SpotNames...)
	text(fieldList, "", d.ListNames...)
	text(fieldLabel, "", d.Labels...)
	text(fieldAuthor, "", d.Author)
	text(fieldOwner, "", d.Owners...)
	if d.Kind != "" {
		doc = append(doc, bluge.NewKeywordField(fieldType, d.Kind))
	}
	if d.Audience != "" {
		doc = append(doc, bluge.NewKeywordField(fieldAudience, d.Audience))
	}
	return doc
}

// metaDocument records seq.
func metaDocument(seq int64) bluge.Document {
	return bluge.Document{
		bluge.NewKeywordField(fieldID, metaID).StoreValue(),
		bluge.NewStoredOnlyField(fieldSeq, []byte(strconv.FormatInt(seq, 10))),
	}
}

// docInfo is what a search needs of a document besides its text: filter
// and facet values (interned), sort values and the hit summary. The
// engine keeps one per document in memory; Bluge only matches and scores
// text.
type docInfo struct {
	id               string
	title            string
	titleKey         string // strings.ToLower(title)
	created, updated int64  // Unix microseconds
	trending         float64
	popular          float64
	promoted         bool
	flagged          bool
	promotedKeywords []string
	home             uint32   // in dicts.spots
	spots            []uint32 // distinct, in dicts.spots, no empty value
	lists            []uint32 // distinct, in dicts.lists, no empty value
	kind             uint32   // in dicts.values
	audience         uint32
	status           uint32
}

func (d *docInfo) summary() search.Summary {
	return search.Summary{
		Title:            d.title,
		CreatedAt:        fromMicros(d.created),
		UpdatedAt:        fromMicros(d.updated),
		Promoted:         d.promoted,
		PromotedKeywords: append([]string(nil), d.promotedKeywords...),
		Flagged:          d.flagged,
		Trending:         d.trending,
		Popular:          d.popular,
	}
}

func fromMicros(us int64) time.Time {
	if us == zeroMicros {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

var zeroMicros = time.Time{}.UnixMicro()

// rawInfo is a docInfo before interning: what encodeInfo stores.
type rawInfo struct {
	id, title, home, kind, audience, status string
	created, updated                        int64
	trending, popular                       float64
	promoted, flagged                       bool
	promotedKeywords, spots, lists          []string
}

func rawOf(d *search.Document) rawInfo {
	return rawInfo{
		id: d.ID, title: d.Title, home: d.HomeSpotID, kind: d.Kind, audience: d.Audience, status: d.Status,
		created: d.CreatedAt.UnixMicro(), updated: d.UpdatedAt.UnixMicro(),
		trending: d.Trending + 0, popular: d.Popular + 0, // +0 turns -0 into 0
		promoted: d.Promoted, flagged: d.Flagged,
		promotedKeywords: d.PromotedKeywords, spots: d.SpotIDs, lists: d.ListIDs,
	}
}

const infoVersion = 1

// encodeInfo stores the docInfo of d compactly, so Open rebuilds the
// in-memory table from the index alone.
func encodeInfo(d *search.Document) []byte {
	r := rawOf(d)
	b := make([]byte, 0, 128+len(r.title))
	b = append(b, infoVersion)
	for _, s := range []string{r.id, r.title, r.home, r.kind, r.audience, r.status} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, r.created)
	b = binary.AppendVarint(b, r.updated)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.trending))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.popular))
	var flags byte
	if r.promoted {
		flags |= 1
	}
	if r.flagged {
		flags |= 2
	}
	b = append(b, flags)
	for _, list := range [][]string{r.promotedKeywords, r.spots, r.lists} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = appendString(b, s)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errBadInfo = errors.New("blugesearch: corrupt stored document info")

func decodeInfo(b []byte) (rawInfo, error) {
	var r rawInfo
	if len(b) == 0 || b[0] != infoVersion {
		return r, errBadInfo
	}
	b = b[1:]
	bad := false
	str := func() string {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			bad = true
			return ""
		}
		s := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return s
	}
	varint := func() int64 {
		v, k := binary.Varint(b)
		if k <= 0 {
			bad = true
			return 0
		}
		b = b[k:]
		return v
	}
	float := func() float64 {
		if len(b) < 8 {
			bad = true
			return 0
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(b))
		b = b[8:]
		return v
	}
	strs := func() []string {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			bad = true
			return nil
		}
		b = b[k:]
		if n == 0 {
			return nil
		}
		out := make([]string, n)
		for i := range out {
			out[i] = str()
		}
		return out
	}
	r.id, r.title, r.home, r.kind, r.audience, r.status = str(), str(), str(), str(), str(), str()
	r.created, r.updated = varint(), varint()
	r.trending, r.popular = float(), float()
	if len(b) < 1 {
		return r, errBadInfo
	}
	r.promoted, r.flagged = b[0]&1 != 0, b[0]&2 != 0
	b = b[1:]
	r.promotedKeywords, r.spots, r.lists = strs(), strs(), strs()
	if bad {
		return r, errBadInfo
	}
	return r, nil
}

// dict interns the values of one kind (spot IDs, list IDs, or the small
// kind/audience/status vocabulary) as small integers, so filters and facets
// work on integers. Value 0 is the empty string. A dict only grows; it is
// safe for concurrent use.
type dict struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	vals []string
}

func newDict() *dict { return &dict{ids: map[string]uint32{"": 0}, vals: []string{""}} }

func (d *dict) intern(s string) uint32 {
	d.mu.RLock()
	id, ok := d.ids[s]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[s]; ok {
		return id
	}
	id = uint32(len(d.vals))
	s = strings.Clone(s)
	d.ids[s] = id
	d.vals = append(d.vals, s)
	return id
}

// lookup returns the ID of s, if s was ever interned.
func (d *dict) lookup(s string) (uint32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.ids[s]
	return id, ok
}

// values returns every value so far, indexed by ID. The slice is never
// modified, only appended to, so it stays valid without the lock.
func (d *dict) values() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.vals
}

// dicts are a generation's dictionaries.
type dicts struct {
	spots, lists, values *dict
}

func newDicts() *dicts { return &dicts{spots: newDict(), lists: newDict(), values: newDict()} }

// info interns r into a docInfo.
func (ds *dicts) info(r rawInfo) *docInfo {
	d := &docInfo{
		id: r.id, title: r.title, titleKey: strings.ToLower(r.title),
		created: r.created, updated: r.updated, trending: r.trending, popular: r.popular,
		promoted: r.promoted, flagged: r.flagged,
		home:     ds.spots.intern(r.home),
		kind:     ds.values.intern(r.kind),
		audience: ds.values.intern(r.audience),
		status:   ds.values.intern(r.status),
		spots:    internSet(ds.spots, r.spots),
		lists:    internSet(ds.lists, r.lists),
	}
	if d.titleKey == d.title {
		d.titleKey = d.title // share the string
	}
	if len(r.promotedKeywords) > 0 {
		d.promotedKeywords = append([]string(nil), r.promotedKeywords...)
	}
	return d
}

// internSet interns the distinct non-empty values of vs.
func internSet(d *dict, vs []string) []uint32 {
	var out []uint32
	for _, v := range vs {
		if v == "" {
			continue
		}
		id := d.intern(v)
		dup := false
		for _, o := range out {
			if o == id {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}
