package abi

import (
	"encoding/binary"
	"time"
)

// enc appends values in the reply encoding of nessie.h to b.
type enc struct {
	b []byte
	// What the reply may echo instead of repeating ('a' tag): sub's
	// canonical ID arguments, and nameArg-1, the argument the reply's one
	// name is (0: none). sub lives here, not behind a pointer, so that
	// it stays on the stack.
	sub     subject
	nameArg int8
}

func (e *enc) none() { e.b = append(e.b, 'N') }

func (e *enc) boolean(v bool) {
	if v {
		e.b = append(e.b, 'T')
	} else {
		e.b = append(e.b, 'F')
	}
}

func (e *enc) uint(u uint64) {
	e.b = append(e.b, 'i')
	e.b = binary.LittleEndian.AppendUint64(e.b, u)
}

func (e *enc) sym(k sym) { e.b = append(e.b, 'k', byte(k)) }

// str writes s, as a symbol when it is one.
func (e *enc) str(s string) {
	if len(s) <= len("parent_snapshot_uuid") {
		if k, ok := symIndex[s]; ok {
			e.sym(k)
			return
		}
	}
	e.text(s)
}

// text writes s as a string, never as a symbol (names: rarely symbols,
// and the lookup would cost every call).
func (e *enc) text(s string) {
	e.b = append(e.b, 's')
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) uuid(id [16]byte) {
	if sub := &e.sub; sub.volArg > 0 && id == sub.vol {
		e.b = append(e.b, 'a', byte(sub.volArg-1))
		return
	} else if sub.snapArg > 0 && id == sub.snap {
		e.b = append(e.b, 'a', byte(sub.snapArg-1))
		return
	}
	e.b = append(e.b, 'u')
	e.b = append(e.b, id[:]...)
}

// name writes the name of the object a call created or renamed: the
// argument it came from, when the call says which.
func (e *enc) name(s string) {
	if e.nameArg > 0 {
		e.b = append(e.b, 'a', byte(e.nameArg-1))
		return
	}
	e.text(s)
}

func (e *enc) dict(n int) { e.b = append(e.b, '{', byte(n)) }

// shape starts a dict of a fixed shape; its values follow in key order.
func (e *enc) shape(i int) { e.b = append(e.b, 'D', byte(i)) }

// enum writes a volume's state, style or type.
func (e *enc) enum(s string) {
	if k, ok := enumSym(s); ok {
		e.sym(k)
		return
	}
	e.text(s)
}

func (e *enc) list(n int) {
	e.b = append(e.b, '[')
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(n))
}

// time writes t as RFC 3339 text with nanoseconds, trailing zeros
// dropped (what time.Time's MarshalJSON writes, unquoted).
func (e *enc) time(t time.Time) {
	var buf [40]byte
	e.text(string(t.AppendFormat(buf[:0], time.RFC3339Nano)))
}
