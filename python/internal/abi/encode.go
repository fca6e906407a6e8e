package abi

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nessie-go/nessie/backend"
)

// Encoding selects the wire format of replies.
type Encoding uint8

// The reply encodings.
const (
	// JSON is the reference encoding of the ABI.
	JSON Encoding = iota
	// Marshal is CPython's marshal format, version 4: the same values,
	// decoded by marshal.loads several times faster than json.loads.
	Marshal
)

// ParseEncoding maps "json" and "marshal" to an Encoding.
func ParseEncoding(s string) (Encoding, error) {
	switch s {
	case "json", "":
		return JSON, nil
	case "marshal":
		return Marshal, nil
	}
	return JSON, fmt.Errorf("unknown encoding %q (want json or marshal)", s)
}

// String returns the name ParseEncoding accepts.
func (e Encoding) String() string {
	if e == Marshal {
		return "marshal"
	}
	return "json"
}

// writer builds one reply value token by token. The domain shapes are
// written once against this interface (shapes.go), so both encodings
// produce the same values by construction.
type writer interface {
	beginDict()
	key(k sym)
	endDict()
	beginList(n int)
	endList()
	str(s string)
	// enum writes a string that is usually one of the recurring values;
	// the marshal writer shares one object for every occurrence.
	enum(s string)
	uuid(id [16]byte)
	time(t time.Time)
	uint(u uint64)
	null()
	boolean(b bool)
	// bytes returns the encoded reply.
	bytes() []byte
	// reset starts a new reply in dst, which the writer appends to; more,
	// if not nil, supplies the buffer when a long reply outgrows dst.
	reset(dst []byte, more func(n int) []byte)
	// grow makes room for n more bytes at once, sparing a long reply the
	// repeated copying of append's doubling.
	grow(n int)
}

// out is the reply buffer both writers append to.
type out struct {
	b    []byte
	more func(n int) []byte // a buffer of capacity n for long replies; nil: the Go heap
}

func (o *out) bytes() []byte { return o.b }

func (o *out) grow(n int) {
	if cap(o.b)-len(o.b) >= n {
		return
	}
	if o.more == nil {
		o.b = slices.Grow(o.b, n)
		return
	}
	nb := o.more(len(o.b) + n)[:len(o.b)]
	copy(nb, o.b)
	o.b = nb
}

// jsonWriter writes compact JSON. Its output decodes to the same value as
// encoding/json's rendering of the backend types.
type jsonWriter struct {
	out
	comma bool // the next key or list element needs a leading comma
}

func (w *jsonWriter) reset(dst []byte, more func(int) []byte) {
	w.b, w.more, w.comma = dst, more, false
}

func (w *jsonWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
}

func (w *jsonWriter) beginDict() { w.sep(); w.b = append(w.b, '{'); w.comma = false }
func (w *jsonWriter) endDict()   { w.b = append(w.b, '}'); w.comma = true }
func (w *jsonWriter) beginList(int) {
	w.sep()
	w.b = append(w.b, '[')
	w.comma = false
}
func (w *jsonWriter) endList() { w.b = append(w.b, ']'); w.comma = true }

func (w *jsonWriter) key(k sym) {
	w.sep()
	w.b = append(w.b, jsonKeys[k]...)
	w.comma = false
}

func (w *jsonWriter) str(s string) {
	w.sep()
	w.comma = true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always marshals
			w.b = append(w.b, q...)
			return
		}
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

func (w *jsonWriter) enum(s string) { w.str(s) }

func (w *jsonWriter) uuid(id [16]byte) {
	w.sep()
	w.b = append(backend.AppendUUID(append(w.b, '"'), id), '"')
	w.comma = true
}

func (w *jsonWriter) time(t time.Time) {
	w.sep()
	w.b = append(appendTime(append(w.b, '"'), t), '"')
	w.comma = true
}

func (w *jsonWriter) uint(u uint64) {
	w.sep()
	w.b = strconv.AppendUint(w.b, u, 10)
	w.comma = true
}

func (w *jsonWriter) null() { w.sep(); w.b = append(w.b, "null"...); w.comma = true }

func (w *jsonWriter) boolean(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
	w.comma = true
}

// Type codes of CPython's marshal format (Python/marshal.c).
const (
	mNull        = '0'
	mNone        = 'N'
	mFalse       = 'F'
	mTrue        = 'T'
	mInt         = 'i'
	mLong        = 'l'
	mList        = '['
	mDict        = '{'
	mUnicode     = 'u'
	mShortASCII  = 'z'
	mShortASCIIi = 'Z' // interned
	mRef         = 'r'
	mFlagRef     = 0x80
)

// marshalWriter writes CPython marshal data (version 4). In a reply that
// contains a list, each sym is written once, interned and flagged for the
// decoder's reference table, and referenced by index afterwards: a list
// of many volumes shares its key and state strings, which makes it
// decode about three times faster. A single object is better off without
// references (the table costs more than it saves), so its syms are plain
// short strings.
type marshalWriter struct {
	out
	share bool            // a list began: use the reference table
	refs  [numSyms]uint32 // reference index + 1 of each sym written so far
	nrefs uint32
}

func (w *marshalWriter) reset(dst []byte, more func(int) []byte) {
	w.b, w.more, w.share, w.refs, w.nrefs = dst, more, false, [numSyms]uint32{}, 0
}

func (w *marshalWriter) beginDict() { w.b = append(w.b, mDict) }
func (w *marshalWriter) endDict()   { w.b = append(w.b, mNull) }
func (w *marshalWriter) beginList(n int) {
	w.share = true
	w.b = binary.LittleEndian.AppendUint32(append(w.b, mList), uint32(n))
}
func (w *marshalWriter) endList() {}

func (w *marshalWriter) null() { w.b = append(w.b, mNone) }

func (w *marshalWriter) boolean(v bool) {
	if v {
		w.b = append(w.b, mTrue)
	} else {
		w.b = append(w.b, mFalse)
	}
}

func (w *marshalWriter) key(k sym) { w.sym(k) }

func (w *marshalWriter) enum(s string) {
	if k, ok := valueSym(s); ok {
		w.sym(k)
	} else {
		w.str(s)
	}
}

func (w *marshalWriter) sym(k sym) {
	if !w.share {
		s := symText[k]
		w.b = append(w.b, mShortASCII, byte(len(s)))
		w.b = append(w.b, s...)
		return
	}
	if r := w.refs[k]; r != 0 {
		w.b = binary.LittleEndian.AppendUint32(append(w.b, mRef), r-1)
		return
	}
	w.nrefs++
	w.refs[k] = w.nrefs
	s := symText[k]
	w.b = append(w.b, mShortASCIIi|mFlagRef, byte(len(s)))
	w.b = append(w.b, s...)
}

func (w *marshalWriter) str(s string) {
	if len(s) <= 255 && isASCII(s) {
		w.b = append(w.b, mShortASCII, byte(len(s)))
		w.b = append(w.b, s...)
		return
	}
	// marshal decodes TYPE_UNICODE as UTF-8; backend strings are valid
	// UTF-8, except where a message truncated a name mid-rune, which
	// becomes U+FFFD here as it does in encoding/json.
	if !utf8.ValidString(s) {
		s = replaceInvalidUTF8(s)
	}
	w.b = binary.LittleEndian.AppendUint32(append(w.b, mUnicode), uint32(len(s)))
	w.b = append(w.b, s...)
}

func (w *marshalWriter) uuid(id [16]byte) {
	w.b = backend.AppendUUID(append(w.b, mShortASCII, 36), id)
}

func (w *marshalWriter) time(t time.Time) {
	w.b = append(w.b, mShortASCII, 0)
	n := len(w.b)
	w.b = appendTime(w.b, t)
	w.b[n-1] = byte(len(w.b) - n) // RFC 3339 text is short ASCII
}

// uint writes TYPE_INT when the value fits in a signed 32-bit integer
// and TYPE_LONG (base 2**15 digits, least significant first) otherwise.
func (w *marshalWriter) uint(u uint64) {
	if u <= 1<<31-1 {
		w.b = binary.LittleEndian.AppendUint32(append(w.b, mInt), uint32(u))
		return
	}
	var digits [5]uint16 // 64 bits need at most 5 digits of 15 bits
	n := 0
	for ; u != 0; u >>= 15 {
		digits[n] = uint16(u & (1<<15 - 1))
		n++
	}
	w.b = binary.LittleEndian.AppendUint32(append(w.b, mLong), uint32(n))
	for _, d := range digits[:n] {
		w.b = binary.LittleEndian.AppendUint16(w.b, d)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// replaceInvalidUTF8 replaces each byte that is not part of valid UTF-8
// with U+FFFD, as encoding/json does.
func replaceInvalidUTF8(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
