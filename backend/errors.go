package backend

import (
	"errors"
	"strings"
)

// Kind classifies a backend failure. The set is closed: wire layers map each
// kind to their own codes (the ONTAP table lives in package ontap).
type Kind uint8

// The kinds of failure. The zero Kind is never used for a real error.
const (
	// KindNotFound: the named volume or snapshot does not exist.
	KindNotFound Kind = iota + 1
	// KindAlreadyExists: the name is already taken.
	KindAlreadyExists
	// KindInvalidArgument: the input is malformed or violates a rule
	// independent of stored state (bad name, bad path, bad UUID text).
	KindInvalidArgument
	// KindInUse: a precondition on stored state fails, typically because
	// another object depends on the target (a clone on its parent
	// snapshot).
	KindInUse
	// KindUnsupported: the backend does not implement the requested tier
	// or feature. It matches errors.ErrUnsupported.
	KindUnsupported
	// KindInternal: the backend failed for reasons of its own.
	KindInternal
)

var kindNames = [...]string{
	KindNotFound:        "not found",
	KindAlreadyExists:   "already exists",
	KindInvalidArgument: "invalid argument",
	KindInUse:           "in use",
	KindUnsupported:     "unsupported",
	KindInternal:        "internal error",
}

// String returns the kind's short lowercase name, e.g. "not found".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown kind"
}

// Error makes each Kind usable as an [errors.Is] target.
func (k Kind) Error() string { return k.String() }

// Is makes KindUnsupported match [errors.ErrUnsupported].
func (k Kind) Is(target error) bool {
	return k == KindUnsupported && target == errors.ErrUnsupported
}

// Sentinels for [errors.Is]. Each matches every [*Error] of its kind;
// ErrVolumeNotFound and ErrSnapshotNotFound additionally require the
// resource.
var (
	ErrNotFound         error = KindNotFound
	ErrAlreadyExists    error = KindAlreadyExists
	ErrInvalidArgument  error = KindInvalidArgument
	ErrInUse            error = KindInUse
	ErrUnsupported      error = KindUnsupported
	ErrInternal         error = KindInternal
	ErrVolumeNotFound   error = resourceKind{ResourceVolume, KindNotFound}
	ErrSnapshotNotFound error = resourceKind{ResourceSnapshot, KindNotFound}
)

// resourceKind is a sentinel that matches a kind on one resource only.
type resourceKind struct {
	resource Resource
	kind     Kind
}

func (r resourceKind) Error() string { return string(r.resource) + " " + r.kind.String() }

// Resource names what an error is about.
type Resource string

// The resources a backend error can concern.
const (
	ResourceVolume   Resource = "volume"
	ResourceSnapshot Resource = "snapshot"
	ResourceBackend  Resource = "backend"
)

// Error is the one structured error every backend returns (context errors
// excepted). Construct it with a literal; Kind must be set.
type Error struct {
	Op       string   // the backend method, e.g. "CreateVolume"
	Kind     Kind     // what went wrong
	Resource Resource // what it concerns; may be empty
	ID       string   // the resource's ID as text, if known
	Name     string   // the resource's name, if known
	Err      error    // the underlying cause or detail; may be nil
}

// Error renders e.g. `CreateVolume: volume "db": already exists`.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Resource != "" {
		b.WriteString(string(e.Resource))
		switch {
		case e.Name != "":
			b.WriteString(` "`)
			b.WriteString(e.Name)
			b.WriteString(`"`)
		case e.ID != "":
			b.WriteString(" ")
			b.WriteString(e.ID)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap yields the kind sentinel and, if present, the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Is matches the resource-specific sentinels ErrVolumeNotFound and
// ErrSnapshotNotFound; plain kinds match through Unwrap.
func (e *Error) Is(target error) bool {
	rk, ok := target.(resourceKind)
	return ok && rk.kind == e.Kind && rk.resource == e.Resource
}

// KindOf returns the kind of the first [*Error] or [Kind] in err's chain,
// or 0 if there is none (context errors, foreign errors).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return 0
}

// ResourceOf returns the resource of the first [*Error] in err's chain, or
// "" if there is none.
func ResourceOf(err error) Resource {
	var e *Error
	if errors.As(err, &e) {
		return e.Resource
	}
	return ""
}

// VolumeNotFound returns the standard not-found error for a volume.
func VolumeNotFound(op string, id VolumeID) error {
	return &Error{Op: op, Kind: KindNotFound, Resource: ResourceVolume, ID: id.String()}
}

// SnapshotNotFound returns the standard not-found error for a snapshot.
func SnapshotNotFound(op string, id SnapshotID) error {
	return &Error{Op: op, Kind: KindNotFound, Resource: ResourceSnapshot, ID: id.String()}
}

// Unsupported returns the standard error for a tier or feature the backend
// does not implement; feature names it (e.g. "snapshots", "clones").
func Unsupported(op, feature string) error {
	return &Error{Op: op, Kind: KindUnsupported, Resource: ResourceBackend, Name: feature}
}
