package mem

import (
	"errors"
	"fmt"
	"math/bits"
)

// pmap is a persistent (immutable) hash map: a 64-way hash array mapped
// trie with separate bitmaps for inline entries and child nodes (the CHAMP
// layout). set and del return a new map that shares every node off the
// changed path with the old one, so an update costs O(log64 n) and the old
// map stays valid for readers that still hold it.
//
// 64-way rather than 32-way: a lookup in 100k entries crosses three levels
// instead of four, and each level costs up to two cache misses (node,
// array), which dominates reads at scale; writes copy larger arrays in
// exchange (see BENCHMARKS.md).
//
// The caller supplies each key's 64-bit hash. Keys whose hashes are fully
// equal end up together in a collision node at the bottom of the trie, so
// correctness never depends on the hash being perfect.
//
// A node reachable from a published map is never written again.
type pmap[K comparable, V any] struct {
	root *node[K, V]
	n    int
}

type entry[K comparable, V any] struct {
	hash uint64
	key  K
	val  V
}

// node is a trie node. Below shift 64 the bitmaps say which of the 64 slots
// hold an inline entry (dataMap) or a child (nodeMap), and data and kids
// hold them in slot order. At shift >= 64 the node is a collision node:
// the bitmaps are unused and data holds entries with identical hashes.
//
// Canonical form: every node other than the root holds at least two
// entries in its subtree, so deletion pulls lone entries back up.
type node[K comparable, V any] struct {
	dataMap uint64
	nodeMap uint64
	data    []entry[K, V]
	kids    []*node[K, V]
}

const (
	bitsPerLevel = 6
	maxShift     = 64 // at or beyond this shift a node is a collision node
)

func slot(hash uint64, shift uint) uint64 {
	return 1 << ((hash >> shift) & 63)
}

func rank(bitmap, bit uint64) int {
	return bits.OnesCount64(bitmap & (bit - 1))
}

// len returns the number of entries.
func (m pmap[K, V]) len() int { return m.n }

// get returns the value stored under key.
func (m pmap[K, V]) get(hash uint64, key K) (V, bool) {
	n := m.root
	for shift := uint(0); n != nil; shift += bitsPerLevel {
		if shift >= maxShift {
			for i := range n.data {
				if n.data[i].key == key {
					return n.data[i].val, true
				}
			}
			break
		}
		bit := slot(hash, shift)
		if n.dataMap&bit != 0 {
			e := &n.data[rank(n.dataMap, bit)]
			if e.hash == hash && e.key == key {
				return e.val, true
			}
			break
		}
		if n.nodeMap&bit == 0 {
			break
		}
		n = n.kids[rank(n.nodeMap, bit)]
	}
	var zero V
	return zero, false
}

// set returns a map in which key maps to val.
func (m pmap[K, V]) set(hash uint64, key K, val V) pmap[K, V] {
	e := entry[K, V]{hash: hash, key: key, val: val}
	if m.root == nil {
		return pmap[K, V]{root: &node[K, V]{dataMap: slot(hash, 0), data: []entry[K, V]{e}}, n: 1}
	}
	root, added := m.root.set(0, e)
	if added {
		return pmap[K, V]{root: root, n: m.n + 1}
	}
	return pmap[K, V]{root: root, n: m.n}
}

// del returns a map without key (the same map if key is absent).
func (m pmap[K, V]) del(hash uint64, key K) pmap[K, V] {
	if m.root == nil {
		return m
	}
	root, removed := m.root.del(0, hash, key)
	if !removed {
		return m
	}
	return pmap[K, V]{root: root, n: m.n - 1}
}

// all calls f for every entry, in trie order, until f returns false.
func (m pmap[K, V]) all(f func(K, V) bool) {
	if m.root != nil {
		m.root.all(f)
	}
}

func (n *node[K, V]) all(f func(K, V) bool) bool {
	for i := range n.data {
		if !f(n.data[i].key, n.data[i].val) {
			return false
		}
	}
	for _, k := range n.kids {
		if !k.all(f) {
			return false
		}
	}
	return true
}

func (n *node[K, V]) set(shift uint, e entry[K, V]) (*node[K, V], bool) {
	if shift >= maxShift {
		for i := range n.data {
			if n.data[i].key == e.key {
				c := &node[K, V]{data: cloneReplace(n.data, i, e)}
				return c, false
			}
		}
		c := &node[K, V]{data: cloneInsert(n.data, len(n.data), e)}
		return c, true
	}
	bit := slot(e.hash, shift)
	switch {
	case n.dataMap&bit != 0:
		i := rank(n.dataMap, bit)
		old := n.data[i]
		if old.hash == e.hash && old.key == e.key {
			return &node[K, V]{dataMap: n.dataMap, nodeMap: n.nodeMap, data: cloneReplace(n.data, i, e), kids: n.kids}, false
		}
		// Two entries share the slot: push both down into a new child.
		sub := pair(shift+bitsPerLevel, old, e)
		nodeMap := n.nodeMap | bit
		return &node[K, V]{
			dataMap: n.dataMap &^ bit,
			nodeMap: nodeMap,
			data:    cloneRemove(n.data, i),
			kids:    cloneInsert(n.kids, rank(nodeMap, bit), sub),
		}, true
	case n.nodeMap&bit != 0:
		j := rank(n.nodeMap, bit)
		sub, added := n.kids[j].set(shift+bitsPerLevel, e)
		return &node[K, V]{dataMap: n.dataMap, nodeMap: n.nodeMap, data: n.data, kids: cloneReplace(n.kids, j, sub)}, added
	default:
		dataMap := n.dataMap | bit
		return &node[K, V]{dataMap: dataMap, nodeMap: n.nodeMap, data: cloneInsert(n.data, rank(dataMap, bit), e), kids: n.kids}, true
	}
}

// pair builds the smallest subtree at shift holding two distinct keys.
func pair[K comparable, V any](shift uint, a, b entry[K, V]) *node[K, V] {
	if shift >= maxShift {
		return &node[K, V]{data: []entry[K, V]{a, b}}
	}
	ba, bb := slot(a.hash, shift), slot(b.hash, shift)
	if ba == bb {
		return &node[K, V]{nodeMap: ba, kids: []*node[K, V]{pair(shift+bitsPerLevel, a, b)}}
	}
	if ba > bb {
		a, b = b, a
	}
	return &node[K, V]{dataMap: ba | bb, data: []entry[K, V]{a, b}}
}

// del returns the node without key, nil if that leaves it empty, and
// whether anything was removed.
func (n *node[K, V]) del(shift uint, hash uint64, key K) (*node[K, V], bool) {
	if shift >= maxShift {
		for i := range n.data {
			if n.data[i].key == key {
				if len(n.data) == 1 {
					return nil, true
				}
				return &node[K, V]{data: cloneRemove(n.data, i)}, true
			}
		}
		return n, false
	}
	bit := slot(hash, shift)
	switch {
	case n.dataMap&bit != 0:
		i := rank(n.dataMap, bit)
		if e := n.data[i]; e.hash != hash || e.key != key {
			return n, false
		}
		if len(n.data) == 1 && len(n.kids) == 0 {
			return nil, true
		}
		return &node[K, V]{dataMap: n.dataMap &^ bit, nodeMap: n.nodeMap, data: cloneRemove(n.data, i), kids: n.kids}, true
	case n.nodeMap&bit != 0:
		j := rank(n.nodeMap, bit)
		sub, removed := n.kids[j].del(shift+bitsPerLevel, hash, key)
		if !removed {
			return n, false
		}
		switch {
		case sub == nil:
			// Only reachable if a child broke canonical form; stay correct anyway.
			if len(n.data) == 0 && len(n.kids) == 1 {
				return nil, true
			}
			return &node[K, V]{dataMap: n.dataMap, nodeMap: n.nodeMap &^ bit, data: n.data, kids: cloneRemove(n.kids, j)}, true
		case len(sub.kids) == 0 && len(sub.data) == 1:
			// The child holds one entry: inline it here.
			dataMap := n.dataMap | bit
			return &node[K, V]{
				dataMap: dataMap,
				nodeMap: n.nodeMap &^ bit,
				data:    cloneInsert(n.data, rank(dataMap, bit), sub.data[0]),
				kids:    cloneRemove(n.kids, j),
			}, true
		default:
			return &node[K, V]{dataMap: n.dataMap, nodeMap: n.nodeMap, data: n.data, kids: cloneReplace(n.kids, j, sub)}, true
		}
	}
	return n, false
}

// check verifies the trie's structure against hashOf, the hash function
// the caller uses: bitmaps agree with slice lengths, every entry sits where
// its hash leads, stored hashes are right, non-root nodes are canonical,
// keys are unique and the count is exact.
func (m pmap[K, V]) check(hashOf func(K) uint64) error {
	if m.root == nil {
		if m.n != 0 {
			return fmt.Errorf("empty trie claims %d entries", m.n)
		}
		return nil
	}
	count, err := m.root.check(0, 0, hashOf, true)
	if err != nil {
		return err
	}
	if count != m.n {
		return fmt.Errorf("trie holds %d entries but claims %d", count, m.n)
	}
	return nil
}

func (n *node[K, V]) check(shift uint, prefix uint64, hashOf func(K) uint64, isRoot bool) (int, error) {
	mask := uint64(1)<<shift - 1
	if shift >= maxShift {
		mask = ^uint64(0)
	}
	for i := range n.data {
		e := &n.data[i]
		if h := hashOf(e.key); h != e.hash {
			return 0, fmt.Errorf("entry %v stores hash %#x, want %#x", e.key, e.hash, h)
		}
		if e.hash&mask != prefix&mask {
			return 0, fmt.Errorf("entry %v at shift %d is off its hash path", e.key, shift)
		}
	}
	if shift >= maxShift {
		if n.dataMap != 0 || n.nodeMap != 0 || len(n.kids) != 0 {
			return 0, errors.New("collision node has bitmaps or children")
		}
		if len(n.data) < 2 {
			return 0, fmt.Errorf("collision node holds %d entries", len(n.data))
		}
		for i := range n.data {
			for j := i + 1; j < len(n.data); j++ {
				if n.data[i].key == n.data[j].key {
					return 0, fmt.Errorf("key %v stored twice", n.data[i].key)
				}
			}
		}
		return len(n.data), nil
	}
	if bits.OnesCount64(n.dataMap) != len(n.data) || bits.OnesCount64(n.nodeMap) != len(n.kids) {
		return 0, fmt.Errorf("node at shift %d: bitmaps disagree with %d entries and %d children", shift, len(n.data), len(n.kids))
	}
	if n.dataMap&n.nodeMap != 0 {
		return 0, fmt.Errorf("node at shift %d: a slot is both entry and child", shift)
	}
	for i := range n.data {
		if want := slot(n.data[i].hash, shift); n.dataMap&want == 0 || rank(n.dataMap, want) != i {
			return 0, fmt.Errorf("entry %v is in the wrong slot at shift %d", n.data[i].key, shift)
		}
	}
	total := len(n.data)
	j := 0
	for s := uint64(0); s < 64; s++ {
		if n.nodeMap&(1<<s) == 0 {
			continue
		}
		c, err := n.kids[j].check(shift+bitsPerLevel, prefix|s<<shift, hashOf, false)
		if err != nil {
			return 0, err
		}
		total += c
		j++
	}
	if !isRoot && total < 2 {
		return 0, fmt.Errorf("non-root node at shift %d holds %d entries", shift, total)
	}
	return total, nil
}

// The clone helpers never write into a slice that a published node may
// share: each returns a fresh backing array of exactly the new length.

func cloneReplace[T any](s []T, i int, v T) []T {
	c := make([]T, len(s))
	copy(c, s)
	c[i] = v
	return c
}

func cloneInsert[T any](s []T, i int, v T) []T {
	c := make([]T, len(s)+1)
	copy(c, s[:i])
	c[i] = v
	copy(c[i+1:], s[i:])
	return c
}

func cloneRemove[T any](s []T, i int) []T {
	if len(s) == 1 {
		return nil
	}
	c := make([]T, len(s)-1)
	copy(c, s[:i])
	copy(c[i:], s[i+1:])
	return c
}
