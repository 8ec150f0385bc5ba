package process

import (
	"container/list"
	"sync"
)

// fileKey identifies one version of a file without reading it. ctime is in
// the key as well as mtime because mtime can be set back by anyone who can
// write the file (touch -d), ctime cannot: a binary swapped in place with
// the same size and a forged mtime is still re-hashed.
type fileKey struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // nanoseconds
}

// hashCache is a fixed-size LRU of file digests, safe for concurrent use.
// The agent keeps one collector for its lifetime, so unchanged binaries
// are hashed once, not once per process per run.
type hashCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used; values are *cacheEntry
	items map[fileKey]*list.Element
}

type cacheEntry struct {
	key fileKey
	sum string
}

func newHashCache(max int) *hashCache {
	if max < 1 {
		max = 1
	}
	return &hashCache{max: max, order: list.New(), items: make(map[fileKey]*list.Element)}
}

func (c *hashCache) get(k fileKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return "", false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).sum, true
}

func (c *hashCache) put(k fileKey, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*cacheEntry).sum = sum
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&cacheEntry{key: k, sum: sum})
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).key)
	}
}

func (c *hashCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
