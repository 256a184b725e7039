package render

import (
	"bytes"
	"container/list"
	"sync"
)

// cacheKey names a drawn page: the SHA-256 of the file and the page.
type cacheKey struct {
	sum  [32]byte
	page int
}

type cacheEntry struct {
	key cacheKey
	img []byte
}

// cache keeps drawn pages up to max bytes of images, evicting the least
// recently used.
type cache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // of *cacheEntry, most recently used first
	byKey map[cacheKey]*list.Element
}

func newCache(maxBytes int64) *cache {
	return &cache{max: maxBytes, order: list.New(), byKey: map[cacheKey]*list.Element{}}
}

// get returns a copy of the page's image.
func (c *cache) get(k cacheKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return bytes.Clone(e.Value.(*cacheEntry).img), true
}

// put keeps img, which the caller must not change afterwards. Images
// larger than the whole cache are not kept.
func (c *cache) put(k cacheKey, img []byte) {
	n := int64(len(img))
	if n > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		c.size -= int64(len(e.Value.(*cacheEntry).img))
		c.order.Remove(e)
	}
	c.byKey[k] = c.order.PushFront(&cacheEntry{key: k, img: img})
	c.size += n
	for c.size > c.max {
		e := c.order.Back()
		c.order.Remove(e)
		old := e.Value.(*cacheEntry)
		delete(c.byKey, old.key)
		c.size -= int64(len(old.img))
	}
}
