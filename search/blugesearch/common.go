package blugesearch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/search"
)

// A generation's common words are the words so frequent that a phrase
// with two of them side by side would make Bluge intersect two position
// lists covering most of the index: the English function words. Title,
// description and body index every pair of adjacent common words as one
// term ("of the", "in a"), so a phrase of two such words is a single term
// query, and a longer phrase containing such a pair starts from that
// pair's far shorter postings (see phraseQuery). Learning the corpus's
// own frequent words as well was measured: it cut the p99 of two-word
// phrases by a fifth but slowed bulk indexing by a third, so it is not
// done.
//
// The set is stored with the generation (common.txt) when the generation
// is created, because a pair can only be searched as a term if every
// document was indexed with it: a later version changing the list keeps
// reading old generations with their own. A smaller set at query time is
// always correct (phrases fall back to positions), so a missing file in a
// generation that holds documents means an empty set.

const commonFile = "common.txt"

// functionWords are always common.
var functionWords = strings.Fields(`a about above after again against all also am an and any are as at be
because been before being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in into is it its
itself just let me more most my myself no nor not now of off on once one only or other our ours
ourselves out over own per same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very via was we were what when where
which while who whom why will with would you your yours yourself yourselves new get use using`)

type commonSet map[string]bool

// defaultCommon is the common set of a new generation.
func defaultCommon() commonSet {
	set := commonSet{}
	for _, w := range functionWords {
		set[search.Normalize(w)] = true
	}
	return set
}

// loadCommon reads the set of generation path; ok is false when it has
// not been chosen yet.
func loadCommon(path string) (set commonSet, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(path, commonFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	set = commonSet{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if w := sc.Text(); w != "" {
			set[w] = true
		}
	}
	return set, true, sc.Err()
}

// saveCommon stores the set durably before any document uses it.
func saveCommon(path string, set commonSet) error {
	words := make([]string, 0, len(set))
	for w := range set {
		words = append(words, w)
	}
	slices.Sort(words)
	if err := writeFileSync(path, commonFile, []byte(strings.Join(words, "\n")+"\n")); err != nil {
		return fmt.Errorf("save common words: %w", err)
	}
	return nil
}

// writeFileSync atomically replaces dir/name: a temporary file, synced,
// renamed over the name, and the directory synced.
func writeFileSync(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
