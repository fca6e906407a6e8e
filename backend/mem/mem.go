package mem

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// Options configures a Backend. The zero value (or a nil *Options) gives
// the defaults.
type Options struct {
	// Now supplies creation times for volumes and snapshots; tests set it
	// to get reproducible times. The result is stored in UTC. Default:
	// time.Now.
	Now func() time.Time
}

// Backend is the in-memory reference backend. It implements every tier of
// the contract. Create one with New; the zero value is not usable.
type Backend struct {
	mu   sync.Mutex // serialises writers; readers never take it
	root atomic.Pointer[state]
	now  func() time.Time
}

// The tiers Backend implements; the compiler keeps Capabilities honest.
var (
	_ backend.CloneBackend       = (*Backend)(nil)
	_ backend.ReplicationBackend = (*Backend)(nil)
)

// New returns an empty backend. opts may be nil.
func New(opts *Options) *Backend {
	b := &Backend{now: time.Now}
	if opts != nil && opts.Now != nil {
		b.now = opts.Now
	}
	b.root.Store(&state{seed: maphash.MakeSeed(), nameMask: ^uint64(0)})
	return b
}

// Capabilities reports every tier: snapshots, clones and replication.
func (b *Backend) Capabilities(context.Context) backend.Capabilities {
	return backend.Capabilities{Snapshots: true, Clones: true, Replication: true}
}

// timestamp returns the current time in UTC, without a monotonic reading,
// so stored times compare equal to what callers get back.
func (b *Backend) timestamp() time.Time { return b.now().UTC() }

// write runs fn under the writer lock on the current state and publishes
// the state it returns (if any). A context that is done by the time the
// lock is held aborts with no effect.
func (b *Backend) write(ctx context.Context, fn func(s *state) (*state, error)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	next, err := fn(b.root.Load())
	if err != nil {
		return err
	}
	if next != nil {
		b.root.Store(next)
	}
	return nil
}

// Error constructors. Every failure a Backend returns, other than a context
// error, is a *backend.Error built here or by backend's own helpers.

func alreadyExists(op string, r backend.Resource, name string) error {
	return &backend.Error{Op: op, Kind: backend.KindAlreadyExists, Resource: r, Name: name}
}

func inUse(op string, r backend.Resource, id, name string, cause error) error {
	return &backend.Error{Op: op, Kind: backend.KindInUse, Resource: r, ID: id, Name: name, Err: cause}
}

func invalidArg(op string, r backend.Resource, name string, cause error) error {
	return &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Resource: r, Name: text.Truncate(name, 64), Err: cause}
}

// checkName validates a name and re-labels the validator's error with the
// calling operation and resource.
func checkName(op string, r backend.Resource, name string) error {
	err := backend.ValidateName(name)
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		err = be.Err
	}
	return invalidArg(op, r, name, err)
}

// relabel gives a validator's *backend.Error the operation it failed in.
func relabel(op string, err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		c := *be
		c.Op = op
		return &c
	}
	return invalidArg(op, "", "", err)
}

func snapshotInUse(op string, sr *snapRec) error {
	return inUse(op, backend.ResourceSnapshot, sr.id.String(), sr.name,
		fmt.Errorf("%d unsplit clone(s) depend on it", sr.clones))
}
