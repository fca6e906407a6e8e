package abi

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"

	"github.com/nessie-go/nessie/backend"
)

// debugQuote quotes s as Rust's Debug for str does, since the published
// package's messages quote names and bad UUIDs that way: \0 \t \r \n \\ \"
// escaped, grapheme extenders and non-printable characters as \u{hex},
// everything else (the single quote included) as is. Rust's printable set
// (not C*, Z* other than ' ', unassigned) is Go's unicode.IsPrint.
func debugQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case 0:
			b.WriteString(`\0`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			if r < 0x7f && r >= 0x20 || !graphemeExtend(r) && unicode.IsPrint(r) {
				b.WriteRune(r)
			} else {
				b.WriteString(`\u{`)
				b.WriteString(strconv.FormatInt(int64(r), 16))
				b.WriteByte('}')
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func graphemeExtend(r rune) bool {
	return r >= 0x300 && unicode.In(r, unicode.Mn, unicode.Me, unicode.Other_Grapheme_Extend)
}

// badArg is a request the binding refuses before reaching the backend;
// msg is the whole message, e.g. `invalid volume uuid "x"`.
type badArg struct {
	resource backend.Resource
	msg      string
}

func (e *badArg) Error() string { return e.msg }

// subject is what a call is about, for wording its failure.
type subject struct {
	vol  backend.VolumeID   // the volume the call names
	snap backend.SnapshotID // the snapshot it names
	name string             // the name the call creates or takes
	// volArg-1 and snapArg-1 are the arguments that spelled vol and snap
	// canonically (0: none), which replies may echo.
	volArg, snapArg int8
}

// failure is an error record: the kind and resource symbols (resource
// may be "") and the message.
type failure struct {
	kind, resource, message string
}

var kindNames = map[backend.Kind]string{
	backend.KindNotFound:        "not_found",
	backend.KindAlreadyExists:   "already_exists",
	backend.KindInvalidArgument: "invalid_argument",
	backend.KindInUse:           "in_use",
	backend.KindUnsupported:     "unsupported",
	backend.KindInternal:        "internal",
}

// toFailure words err as the published package worded the equivalent
// BackendError (volume <id> not found, volume "n" already exists, ...).
func toFailure(err error, sub *subject) failure {
	var ba *badArg
	if errors.As(err, &ba) {
		return failure{kind: "invalid_argument", resource: string(ba.resource), message: ba.msg}
	}
	var e *backend.Error
	if !errors.As(err, &e) || kindNames[e.Kind] == "" {
		return failure{kind: "internal", message: "internal backend error: " + err.Error()}
	}
	f := failure{kind: kindNames[e.Kind], resource: string(e.Resource)}
	name := sub.name
	if name == "" {
		name = e.Name
	}
	cause := func() string {
		if e.Err != nil {
			return e.Err.Error()
		}
		bare := *e
		bare.Op = ""
		return bare.Error()
	}
	switch {
	case e.Kind == backend.KindNotFound && e.Resource == backend.ResourceVolume:
		f.message = "volume " + orElse(e.ID, sub.vol.String()) + " not found"
	case e.Kind == backend.KindNotFound && e.Resource == backend.ResourceSnapshot:
		f.message = "snapshot " + orElse(e.ID, sub.snap.String()) + " not found on volume " + sub.vol.String()
	case e.Kind == backend.KindAlreadyExists && e.Resource == backend.ResourceVolume:
		f.message = "volume " + debugQuote(name) + " already exists"
	case e.Kind == backend.KindAlreadyExists && e.Resource == backend.ResourceSnapshot:
		f.message = "snapshot " + debugQuote(name) + " already exists on volume " + sub.vol.String()
	case e.Kind == backend.KindInvalidArgument:
		f.message = "invalid argument: " + cause()
	case e.Kind == backend.KindUnsupported:
		f.message = "backend does not support " + orElse(e.Name, cause())
	case e.Kind == backend.KindInternal:
		f.message = "internal backend error: " + cause()
	default:
		bare := *e
		bare.Op = ""
		f.message = bare.Error()
	}
	return f
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func panicFailure(v any) failure {
	return failure{kind: "internal", message: fmt.Sprintf("internal backend error: panic: %v\n\n%s", v, debug.Stack())}
}

// invalidID is the published package's error for a UUID argument that
// does not parse.
func invalidID(res backend.Resource, s string) error {
	return &badArg{resource: res, msg: "invalid " + string(res) + " uuid " + debugQuote(s)}
}

// junctionError is the published package's error for a junction path
// that does not start with '/'.
func junctionError(p string) error {
	return &badArg{resource: backend.ResourceVolume, msg: "invalid argument: nas.path must start with '/' (got " + debugQuote(p) + ")"}
}
