package blugesearch

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring"
	"github.com/blugelabs/bluge"
	"github.com/blugelabs/bluge/index"
	"github.com/blugelabs/bluge/search/similarity"
	segment "github.com/blugelabs/bluge_segment_api"

	"github.com/briefcasehq/briefcase/search"
)

// generation is one Bluge index directory with the in-memory table of its
// documents. The live index is one generation; a Rebuild fills another and
// its Commit swaps them.
type generation struct {
	name  string // "gen-000001"
	path  string
	log   *slog.Logger
	w     *index.Writer
	dicts *dicts

	// writeMu serializes writes; it guards the fields below.
	writeMu sync.Mutex
	table   map[string]*docInfo // live documents by ID
	segMaps map[uint64]*segData // by Bluge segment ID
	seq     int64
	common  commonSet    // fixed when the generation is created
	pending []chan error // batches not yet persisted (Build.Add does not wait)

	viewMu sync.RWMutex
	view   *view // what searches see; replaced after every write
}

// view is an immutable, consistent picture of a generation: a Bluge
// snapshot and, for every doc number in it, the docInfo of that version of
// the document. Searches hold a reference while they run.
type view struct {
	refs   atomic.Int64
	snap   *index.Snapshot
	segs   []segView
	count  int
	seq    int64
	common commonSet
}

// segView is one segment of a view: global doc numbers base..base+len.
type segView struct {
	base    uint64
	data    *segData
	deleted *roaring.Bitmap // local doc numbers deleted in this view; may be nil
}

// segData maps the local doc numbers of one Bluge segment to documents.
// A segment never changes, and neither does the version of a document it
// holds, so segData is built once per segment. What every search reads
// of every match (filter, facet and sort values) is copied into rows,
// contiguous in doc number order, so a search over many matches reads
// memory in order instead of chasing a pointer per document.
type segData struct {
	docs []*docInfo // nil: the meta document, or deleted when mapped
	rows []row
	pool []uint32 // the spots then lists of each row, at row.off
}

// row is the part of a docInfo a search reads for every match.
type row struct {
	created           int64
	trending, popular float64
	home              uint32
	kind, audience    uint32
	status            uint32
	off               uint32 // of the spots in pool; the lists follow
	nspots, nlists    uint32
	flagged           bool
	idKey             idKey
}

// idKey is the first bytes of an ID, zero-padded: IDs whose keys differ
// compare as their keys do.
type idKey [16]byte

func keyOf(id string) idKey {
	var k idKey
	copy(k[:], id)
	return k
}

func (r *row) spots(pool []uint32) []uint32 { return pool[r.off : r.off+r.nspots] }
func (r *row) lists(pool []uint32) []uint32 {
	return pool[r.off+r.nspots : r.off+r.nspots+r.nlists]
}

func newSegData(docs []*docInfo) *segData {
	s := &segData{docs: docs, rows: make([]row, len(docs))}
	for i, d := range docs {
		if d == nil {
			continue
		}
		s.rows[i] = row{
			created: d.created, trending: d.trending, popular: d.popular,
			home: d.home, kind: d.kind, audience: d.audience, status: d.status,
			off: uint32(len(s.pool)), nspots: uint32(len(d.spots)), nlists: uint32(len(d.lists)),
			flagged: d.flagged, idKey: keyOf(d.id),
		}
		s.pool = append(s.pool, d.spots...)
		s.pool = append(s.pool, d.lists...)
	}
	return s
}

func (v *view) release() {
	if v.refs.Add(-1) == 0 {
		_ = v.snap.Close()
	}
}

// locate returns the segment and local number of global doc number n.
// hint is the index of the segment that held the previous number; numbers
// come in increasing order from a searcher, so the search for the segment
// is usually one step.
func (v *view) locate(n uint64, hint *int) (*segData, uint64) {
	i := *hint
	if i >= len(v.segs) || n < v.segs[i].base {
		i = 0
	}
	for i+1 < len(v.segs) && n >= v.segs[i+1].base {
		i++
	}
	*hint = i
	return v.segs[i].data, n - v.segs[i].base
}

// bm25 is the similarity of every field.
var bm25 = similarity.NewBM25Similarity()

// indexConfig is Bluge's configuration for one generation directory; it
// mirrors bluge.DefaultConfig (BM25 norms, the virtual field that
// MatchAll reads) with our deletion policy.
func indexConfig(path string, log *slog.Logger) index.Config {
	cfg := index.DefaultConfig(path)
	all := bluge.NewKeywordField("", "")
	_ = all.Analyze(0)
	cfg = cfg.WithVirtualField(all)
	cfg = cfg.WithNormCalc(func(_ string, n int) float32 { return bm25.ComputeNorm(n) })
	cfg.DeletionPolicyFunc = func() index.DeletionPolicy {
		return &sweepingPolicy{KeepNLatestDeletionPolicy: index.NewKeepNLatestDeletionPolicy(1)}
	}
	// Batches return once applied; write waits for persistence itself
	// (see write), so a Build can prepare its next batch meanwhile.
	cfg.UnsafeBatch = true
	cfg.AsyncError = func(err error) { log.Error("blugesearch: background index error", "path", path, "err", err) }
	return cfg
}

// sweepingPolicy is Bluge's keep-the-latest-snapshot deletion policy, plus
// one sweep when the writer opens: segment files that the loaded snapshot
// does not reference (a merge or a batch cut short by a crash) are
// removed. Bluge itself only removes files that a loaded snapshot once
// referenced.
type sweepingPolicy struct {
	*index.KeepNLatestDeletionPolicy
	latest map[uint64]bool
	swept  bool
}

func (p *sweepingPolicy) Commit(s *index.Snapshot) {
	p.KeepNLatestDeletionPolicy.Commit(s)
	p.latest = map[uint64]bool{}
	for _, seg := range s.Segments() {
		p.latest[seg.ID()] = true
	}
}

func (p *sweepingPolicy) Cleanup(dir index.Directory) error {
	err := p.KeepNLatestDeletionPolicy.Cleanup(dir)
	if p.swept {
		return err
	}
	// The first Cleanup runs inside OpenWriter, before Bluge starts its
	// goroutines: nothing else writes segment files yet.
	p.swept = true
	ids, lerr := dir.List(index.ItemKindSegment)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	for _, id := range ids {
		if !p.latest[id] {
			if rerr := dir.Remove(index.ItemKindSegment, id); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}
	return err
}

// openGeneration opens (or creates) the Bluge index in path and loads its
// documents into memory.
func openGeneration(path, name string, log *slog.Logger) (*generation, error) {
	w, err := index.OpenWriter(indexConfig(path, log))
	if err != nil {
		return nil, fmt.Errorf("open bluge index %s: %w", path, err)
	}
	g := &generation{
		name: name, path: path, log: log, w: w, dicts: newDicts(),
		table: map[string]*docInfo{}, segMaps: map[uint64]*segData{},
	}
	g.writeMu.Lock()
	defer g.writeMu.Unlock()
	common, chosen, err := loadCommon(path)
	if err == nil {
		err = g.load()
	}
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	switch {
	case chosen:
		g.common = common
	case len(g.table) > 0:
		log.Warn("blugesearch: the common words of a generation are missing; phrases will use positions only", "path", path)
		g.common = commonSet{}
	default:
		g.common = defaultCommon()
		if err := saveCommon(path, g.common); err != nil {
			_ = w.Close()
			return nil, err
		}
	}
	// Republish with the common words, through refresh: Bluge's merger
	// starts with the writer and may already have replaced segments that
	// load mapped.
	if err := g.refresh(); err != nil {
		_ = w.Close()
		return nil, err
	}
	return g, nil
}

// load rebuilds the table, the segment maps and the applied sequence from
// the stored fields of every live document, and publishes a view. The
// caller holds writeMu.
func (g *generation) load() error {
	snap, err := g.w.Reader()
	if err != nil {
		return fmt.Errorf("read bluge index %s: %w", g.path, err)
	}
	table := map[string]*docInfo{}
	segMaps := map[uint64]*segData{}
	var seq int64
	for _, ss := range snap.Segments() {
		seg, err := segmentOf(ss)
		if err != nil {
			_ = snap.Close()
			return err
		}
		docs := make([]*docInfo, seg.Count())
		for local := range docs {
			if isDeleted(ss.Deleted(), uint64(local)) {
				continue
			}
			var id, info, seqText []byte
			err := seg.VisitStoredFields(uint64(local), func(field string, value []byte) bool {
				switch field {
				case fieldID:
					id = value
				case fieldInfo:
					info = value
				case fieldSeq:
					seqText = value
				}
				return true
			})
			if err != nil {
				_ = snap.Close()
				return fmt.Errorf("read stored fields in %s: %w", g.path, err)
			}
			if string(id) == metaID {
				if seq, err = strconv.ParseInt(string(seqText), 10, 64); err != nil {
					_ = snap.Close()
					return fmt.Errorf("read applied sequence in %s: %w", g.path, err)
				}
				continue
			}
			raw, err := decodeInfo(info)
			if err != nil {
				_ = snap.Close()
				return fmt.Errorf("document %q in %s: %w", id, g.path, err)
			}
			d := g.dicts.info(raw)
			docs[local] = d
			table[d.id] = d
		}
		segMaps[ss.ID()] = newSegData(docs)
	}
	g.table, g.segMaps, g.seq = table, segMaps, seq
	g.publish(snap)
	return nil
}

// refresh publishes a view of the writer's current snapshot, mapping the
// segments it has not seen yet (new batches and merges) to documents. The
// caller holds writeMu, so the table holds exactly the versions live in
// the snapshot.
func (g *generation) refresh() error {
	snap, err := g.w.Reader()
	if err != nil {
		return fmt.Errorf("read bluge index %s: %w", g.path, err)
	}
	seen := map[uint64]bool{}
	for _, ss := range snap.Segments() {
		seen[ss.ID()] = true
		if _, ok := g.segMaps[ss.ID()]; ok {
			continue
		}
		docs, err := g.mapSegment(ss)
		if err != nil {
			_ = snap.Close()
			return err
		}
		g.segMaps[ss.ID()] = newSegData(docs)
	}
	for id := range g.segMaps {
		if !seen[id] {
			delete(g.segMaps, id)
		}
	}
	g.publish(snap)
	return nil
}

// mapSegment reads the ID of every live document of a segment and finds
// its docInfo. A document deleted in the snapshot maps to nil: a later
// version lives elsewhere.
func (g *generation) mapSegment(ss index.SegmentSnapshot) ([]*docInfo, error) {
	seg, err := segmentOf(ss)
	if err != nil {
		return nil, err
	}
	docs := make([]*docInfo, seg.Count())
	for local := range docs {
		if isDeleted(ss.Deleted(), uint64(local)) {
			continue
		}
		var id string
		err := seg.VisitStoredFields(uint64(local), func(field string, value []byte) bool {
			if field == fieldID {
				id = string(value)
				return false
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("read document IDs in %s: %w", g.path, err)
		}
		docs[local] = g.table[id] // nil for the meta document
	}
	return docs, nil
}

// publish makes snap (whose reference it takes over) the view searches
// see; a nil snap republishes the current snapshot.
func (g *generation) publish(snap *index.Snapshot) {
	if snap == nil {
		snap, _ = g.w.Reader()
	}
	v := &view{snap: snap, count: len(g.table), seq: g.seq, common: g.common}
	var base uint64
	for _, ss := range snap.Segments() {
		data := g.segMaps[ss.ID()]
		v.segs = append(v.segs, segView{base: base, data: data, deleted: ss.Deleted()})
		base += uint64(len(data.docs))
	}
	v.refs.Store(1) // the generation's own reference
	g.viewMu.Lock()
	old := g.view
	g.view = v
	g.viewMu.Unlock()
	if old != nil {
		old.release()
	}
}

// acquire returns the current view; the caller releases it.
func (g *generation) acquire() *view {
	g.viewMu.RLock()
	defer g.viewMu.RUnlock()
	v := g.view
	v.refs.Add(1)
	return v
}

// write applies one atomic Bluge batch: docs replace their IDs, deletes
// are removed (a delete wins over a document with the same ID), and, with
// withSeq, the meta document records seq. With wait, write returns once
// Bluge has persisted the batch; without, it keeps at most two batches
// unpersisted. The caller holds writeMu and has validated the IDs; write
// does not publish a view.
func (g *generation) write(docs []search.Document, deletes []string, seq int64, withSeq, wait bool) error {
	deleted := make(map[string]bool, len(deletes))
	for _, id := range deletes {
		deleted[id] = true
	}
	// The last document with an ID wins; Bluge would keep both.
	last := make(map[string]int, len(docs))
	for i := range docs {
		last[docs[i].ID] = i
	}
	batch := index.NewBatch()
	infos := make([]*docInfo, 0, len(last))
	for i := range docs {
		d := &docs[i]
		if last[d.ID] != i || deleted[d.ID] {
			continue
		}
		batch.Update(bluge.Identifier(d.ID), blugeDocument(d, g.common))
		infos = append(infos, g.dicts.info(rawOf(d)))
	}
	for id := range deleted {
		batch.Delete(bluge.Identifier(id))
	}
	if withSeq {
		batch.Update(bluge.Identifier(metaID), metaDocument(seq))
	}
	persisted := make(chan error, 1)
	batch.SetPersistedCallback(func(err error) {
		select {
		case persisted <- err:
		default:
		}
	})
	for len(g.pending) >= 2 {
		if err := <-g.pending[0]; err != nil {
			return fmt.Errorf("persist bluge batch in %s: %w", g.path, err)
		}
		g.pending = g.pending[1:]
	}
	err := g.w.Batch(batch)
	if err == nil {
		for _, d := range infos {
			g.table[d.id] = d
		}
		for id := range deleted {
			delete(g.table, id)
		}
		if withSeq {
			g.seq = seq
		}
		if !wait {
			g.pending = append(g.pending, persisted)
			return nil
		}
		// Bluge persists snapshots in order: this batch's persistence
		// covers the ones pending before it.
		g.pending = nil
		err = <-persisted
	}
	if err != nil {
		// Bluge may have applied the batch in memory and failed to
		// persist it: read back what it holds.
		g.pending = nil
		if lerr := g.load(); lerr != nil {
			g.log.Error("blugesearch: reload after a failed batch", "path", g.path, "err", lerr)
		}
		return fmt.Errorf("bluge batch in %s: %w", g.path, err)
	}
	return nil
}

// close closes the Bluge writer; searches holding a view finish on it.
func (g *generation) close() error {
	err := g.w.Close()
	g.viewMu.Lock()
	v := g.view
	g.view = nil
	g.viewMu.Unlock()
	if v != nil {
		v.release()
	}
	return err
}

func segmentOf(ss index.SegmentSnapshot) (segment.Segment, error) {
	s, ok := ss.(interface{ Segment() segment.Segment })
	if !ok {
		return nil, fmt.Errorf("blugesearch: unexpected bluge segment type %T", ss)
	}
	return s.Segment(), nil
}

func isDeleted(b *roaring.Bitmap, local uint64) bool {
	return b != nil && b.Contains(uint32(local))
}
