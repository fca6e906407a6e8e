package durable

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/nessie-go/nessie/backend"
)

// change is one change to the store: a put, or a delete when val is nil.
type change struct {
	bucket []byte
	key    []byte
	val    []byte
	create bool // create the bucket if it is missing
	absent bool // put only if the key is not there (checked at commit)
}

// committer is the group commit: writers queue their operations (in the
// order they changed the model) and wait; one goroutine writes everything
// queued so far in a single bbolt transaction, one fsync for the lot, and
// wakes every writer in it. While a commit runs, the next batch gathers.
//
// bbolt's own DB.Batch is not used: it may commit two batches in either
// order and retries a failing function alone, while these operations
// must land in model order, all or none.
type committer struct {
	db *bolt.DB

	mu      sync.Mutex
	queue   []change
	waiters []chan error
	failed  error // first commit error; every later write fails with it
	closed  bool
	kick    chan struct{}
	stopped chan struct{}
}

func newCommitter(db *bolt.DB) *committer {
	c := &committer{db: db, kick: make(chan struct{}, 1), stopped: make(chan struct{})}
	go c.run()
	return c
}

// enqueue queues ops and returns where the commit's result will arrive.
func (c *committer) enqueue(ops []change) <-chan error {
	done := make(chan error, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		done <- &backend.Error{Op: "commit", Kind: backend.KindInternal, Resource: backend.ResourceBackend, Err: fmt.Errorf("store is closed")}
		return done
	}
	c.queue = append(c.queue, ops...)
	c.waiters = append(c.waiters, done)
	select { // under mu, so close cannot close kick meanwhile
	case c.kick <- struct{}{}:
	default:
	}
	c.mu.Unlock()
	return done
}

func (c *committer) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

func (c *committer) run() {
	defer close(c.stopped)
	for range c.kick {
		for {
			c.mu.Lock()
			ops, waiters := c.queue, c.waiters
			c.queue, c.waiters = nil, nil
			failed := c.failed
			c.mu.Unlock()
			if len(waiters) == 0 {
				break
			}
			err := failed
			if err == nil {
				err = c.db.Update(func(tx *bolt.Tx) error { return apply(tx, ops) })
				if err != nil {
					err = &backend.Error{Op: "commit", Kind: backend.KindInternal, Resource: backend.ResourceBackend,
						Err: fmt.Errorf("writing %s failed; the change was not saved and the backend refuses further changes until the daemon restarts: %w", c.db.Path(), err)}
					c.mu.Lock()
					c.failed = err
					c.mu.Unlock()
				}
			}
			for _, w := range waiters {
				w <- err
			}
		}
	}
}

// close commits what is queued and stops the committer.
func (c *committer) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.stopped
		return
	}
	c.closed = true
	close(c.kick)
	c.mu.Unlock()
	<-c.stopped
}

// apply writes ops in one transaction and keeps the store's digest (see
// digest.go) in step with them.
func apply(tx *bolt.Tx, ops []change) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("bucket %q is missing", bucketMeta)
	}
	d := readDigest(meta)
	for _, o := range ops {
		bk := tx.Bucket(o.bucket)
		if bk == nil && o.create {
			var err error
			if bk, err = tx.CreateBucket(o.bucket); err != nil {
				return err
			}
		}
		if bk == nil {
			return fmt.Errorf("bucket %q is missing", o.bucket)
		}
		old := bk.Get(o.key)
		if old != nil && o.absent {
			continue
		}
		if old != nil {
			d ^= recordHash(o.bucket, o.key, old)
		}
		var err error
		if o.val == nil {
			err = bk.Delete(o.key)
		} else {
			d ^= recordHash(o.bucket, o.key, o.val)
			err = bk.Put(o.key, o.val)
		}
		if err != nil {
			return err
		}
	}
	return writeDigest(meta, d)
}
