package durable

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/nessie-go/nessie/backend"
)

// Options configures Open. The zero value (or nil) gives the defaults.
type Options struct {
	// Now supplies creation times; stored in UTC. Default time.Now.
	Now func() time.Time
	// LockTimeout is how long Open waits for another process to release
	// the store file before it gives up with [ErrLocked]. Default 1 s.
	LockTimeout time.Duration
}

// ErrLocked is returned (wrapped) by Open when another process, typically
// a second nessie daemon on the same data directory, holds the store.
var ErrLocked = errors.New("store is in use")

// ErrCorrupt is returned (wrapped) by Open when the store file cannot be
// read back: torn, truncated, or not a nessie store at all.
var ErrCorrupt = errors.New("store is corrupt")

// Backend is the durable backend. Create it with Open; the zero value is
// not usable. Close it when done.
type Backend struct {
	path string
	db   *bolt.DB
	now  func() time.Time

	mu    sync.RWMutex // guards the model below; writers hold it while they enqueue
	vols  map[backend.VolumeID]*volRec
	names map[string]backend.VolumeID
	seq   uint64 // last snapshot sequence number handed out

	c *committer
}

// The tiers Backend implements; the compiler keeps Capabilities honest.
var (
	_ backend.CloneBackend = (*Backend)(nil)
	_ backend.Restorer     = (*Backend)(nil)
)

// newBackend returns an empty model, for Open to load its file into.
func newBackend(opts *Options) *Backend {
	b := &Backend{vols: map[backend.VolumeID]*volRec{}, names: map[string]backend.VolumeID{}, now: time.Now}
	if opts != nil && opts.Now != nil {
		b.now = opts.Now
	}
	return b
}

// Open opens (creating if needed) the store file at path, loads it, and
// returns a backend that persists every change there before it returns.
// A file another process holds fails with ErrLocked after
// Options.LockTimeout; a file that cannot be read back fails with
// ErrCorrupt. Both errors name the file and say what to do.
func Open(path string, opts *Options) (*Backend, error) {
	b := newBackend(opts)
	timeout := time.Second
	if opts != nil && opts.LockTimeout > 0 {
		timeout = opts.LockTimeout
	}
	b.path = path
	// A truncated file faults when bbolt reads its mapping past the end;
	// while opening and loading, such a fault is a recoverable panic
	// (reported as ErrCorrupt) rather than a crash. Load touches every
	// page in use, so later reads do not meet a missing one.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err := openDB(path, timeout)
	if err != nil {
		return nil, err
	}
	b.db = db
	if err := b.load(); err != nil {
		db.Close()
		return nil, err
	}
	b.c = newCommitter(db)
	return b, nil
}

// openDB opens the bbolt file, turning bbolt's failures (and panics: bbolt
// panics on some malformed pages) into errors that say what happened.
func openDB(path string, timeout time.Duration) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, corrupt(path, fmt.Errorf("%v", r))
		}
	}()
	// The freelist is kept in the file (bbolt's default): without it,
	// Open rebuilds it by walking the file in a goroutine of its own that
	// panics on a damaged page, which no recover here could catch.
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, FreelistType: bolt.FreelistMapType})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is held by another process (is another nessie daemon using this data directory? stop it, or give this one another data directory)", ErrLocked, path)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, corrupt(path, err)
	case errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	// bbolt reports a truncated or foreign file in several ways; anything
	// but the lock and the file system is the file's content.
	if _, statErr := os.Stat(path); statErr == nil {
		return nil, corrupt(path, err)
	}
	return nil, fmt.Errorf("opening store %s: %w", path, err)
}

func corrupt(path string, cause error) error {
	return fmt.Errorf("%w: %s cannot be read (%v). Nothing was changed. Move the file aside (keep it for inspection) and start again: empty, or from a backup or a fixture (nessie serve --load FILE)", ErrCorrupt, path, cause)
}

// Path returns the store file.
func (b *Backend) Path() string { return b.path }

// Close waits for pending writes and releases the store file. The backend
// must not be used afterwards.
func (b *Backend) Close() error {
	b.c.close()
	return b.db.Close()
}

// Capabilities reports snapshots and clones. Replication is not
// implemented.
func (b *Backend) Capabilities(context.Context) backend.Capabilities {
	return backend.Capabilities{Snapshots: true, Clones: true}
}

// timestamp returns now in UTC without a monotonic reading.
func (b *Backend) timestamp() time.Time { return b.now().UTC().Round(0) }

// write runs fn under the writer lock. fn changes the model and returns
// the store operations that persist the change; they are queued in model
// order before the lock is released, and write returns once they are
// committed (fsynced). A context already done has no effect.
func (b *Backend) write(ctx context.Context, fn func() ([]change, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	if err := b.c.failure(); err != nil {
		b.mu.Unlock()
		return err
	}
	ops, err := fn()
	if err != nil || len(ops) == 0 {
		b.mu.Unlock()
		return err
	}
	a, extra := attached(ctx)
	done := b.c.enqueue(append(ops, extra...))
	b.mu.Unlock()
	if err := <-done; err != nil {
		return err
	}
	if a != nil {
		a.fired.Store(true)
	}
	return nil
}
