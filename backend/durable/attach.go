package durable

import (
	"context"
	"sync/atomic"
)

// An Attachment is a record that rides along with the next change a call
// commits: whoever starts an operation attaches the record it would
// otherwise write right after (the daemon: the operation's job, as
// succeeded), and the backend puts it in the same transaction, saving a
// second commit. Fired reports whether that happened.
type Attachment struct {
	Kind  string        // the record's kind, as for PutRecords
	Key   string        // its key
	Value func() []byte // its value; called under the writer lock when a change carries it

	fired atomic.Bool
}

// Fired reports whether the record was committed along with a change:
// true once the call that carried it has returned without error.
func (a *Attachment) Fired() bool { return a.fired.Load() }

type attachKey struct{}

// WithAttachment returns a context whose backend writes carry a.
func WithAttachment(ctx context.Context, a *Attachment) context.Context {
	return context.WithValue(ctx, attachKey{}, a)
}

// attached returns the change ctx's attachment adds to a write, if any.
func attached(ctx context.Context) (*Attachment, []change) {
	a, _ := ctx.Value(attachKey{}).(*Attachment)
	if a == nil {
		return nil, nil
	}
	bucket, err := kindBucket(a.Kind)
	if err != nil {
		return nil, nil
	}
	return a, []change{{bucket: bucket, key: []byte(a.Key), val: a.Value(), create: true}}
}
