package backend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxAttributesLen is the largest attributes object, in bytes, that a
// spec or patch may carry and that a merge may produce.
const MaxAttributesLen = 1 << 20

// CompactAttributes checks that raw is a JSON object of at most
// MaxAttributesLen bytes and returns it compacted, the form a backend
// stores. Empty input and the empty object both give nil (no attributes).
// Other input fails with an [ErrInvalidArgument] error.
func CompactAttributes(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	c, err := compactObject(raw)
	if err != nil {
		return nil, &Error{Op: "CompactAttributes", Kind: KindInvalidArgument, Err: err}
	}
	if string(c) == "{}" {
		return nil, nil
	}
	return c, nil
}

// MergeAttributes applies an RFC 7386 JSON merge patch to stored
// attributes and returns the result; every backend uses it, so the rule is
// the same everywhere. Both must be JSON objects (nil or empty means {}).
// A member of patch whose value is null deletes that key; an object value
// is merged into the stored member recursively (null members inside it
// are dropped too); any other value replaces the stored one. Stored members
// keep their order and text; new ones are appended. Where an object repeats
// a name, the last occurrence wins, as encoding/json reads it. An empty
// result is nil. Input that is not an object, or a result over MaxAttributesLen,
// fails with an [ErrInvalidArgument] error; stored is never modified.
func MergeAttributes(stored, patch json.RawMessage) (json.RawMessage, error) {
	fail := func(err error) (json.RawMessage, error) {
		return nil, &Error{Op: "MergeAttributes", Kind: KindInvalidArgument, Err: err}
	}
	s, err := compactObject(stored)
	if err != nil {
		return fail(fmt.Errorf("stored attributes: %w", err))
	}
	p, err := compactObject(patch)
	if err != nil {
		return fail(err)
	}
	out := mergeObject(s, p)
	if len(out) > MaxAttributesLen {
		return fail(fmt.Errorf("merged attributes are %d bytes long; the limit is %d", len(out), MaxAttributesLen))
	}
	if string(out) == "{}" {
		return nil, nil
	}
	return out, nil
}

// attributesProblem reports why raw cannot be an attributes object (or a
// merge patch), or nil. Empty input is fine: it means none.
func attributesProblem(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	_, err := compactObject(raw)
	return err
}

// compactObject validates raw as a JSON object within the size limit and
// returns its compact form; empty input gives {}.
func compactObject(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return []byte("{}"), nil
	}
	if len(raw) > MaxAttributesLen {
		return nil, fmt.Errorf("attributes are %d bytes long; the limit is %d", len(raw), MaxAttributesLen)
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("attributes are not valid JSON: %w", err)
	}
	if b := buf.Bytes(); len(b) == 0 || b[0] != '{' {
		return nil, errors.New("attributes must be a JSON object")
	}
	return buf.Bytes(), nil
}

// member is one name/value pair of a compact JSON object: the name as
// written (quoted, escapes intact), the name decoded, and the value's text.
type member struct {
	rawKey []byte
	key    string
	val    []byte
}

// members splits a compact, valid JSON object into its members, in order.
func members(obj []byte) []member {
	var out []member
	i := 1 // past '{'
	for obj[i] != '}' {
		ks := i
		i = skipString(obj, i)
		m := member{rawKey: obj[ks:i]}
		if bytes.IndexByte(m.rawKey, '\\') < 0 {
			m.key = string(m.rawKey[1 : len(m.rawKey)-1])
		} else {
			_ = json.Unmarshal(m.rawKey, &m.key) // valid: checked by Compact
		}
		i++ // ':'
		vs := i
		i = skipValue(obj, i)
		m.val = obj[vs:i]
		out = append(out, m)
		if obj[i] == ',' {
			i++
		}
	}
	return out
}

// lastWins drops every member whose name appears again later, so that an
// object with duplicate names merges as encoding/json would read it: the
// last one wins.
func lastWins(ms []member) []member {
	last := make(map[string]int, len(ms))
	for i, m := range ms {
		last[m.key] = i
	}
	if len(last) == len(ms) {
		return ms
	}
	out := ms[:0:0]
	for i, m := range ms {
		if last[m.key] == i {
			out = append(out, m)
		}
	}
	return out
}

// skipString returns the index just past the JSON string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// skipValue returns the index just past the compact JSON value at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// mergeObject applies merge patch p (a compact object) to target (compact
// JSON; anything but an object counts as {}), per RFC 7386.
func mergeObject(target, p []byte) []byte {
	var ms []member
	if len(target) > 0 && target[0] == '{' {
		ms = lastWins(members(target))
	}
	index := make(map[string]int, len(ms))
	for i, m := range ms {
		index[m.key] = i
	}
	for _, pm := range lastWins(members(p)) {
		i, ok := index[pm.key]
		switch {
		case string(pm.val) == "null":
			if ok {
				ms[i].val = nil
				delete(index, pm.key)
			}
			continue
		case pm.val[0] == '{':
			var base []byte
			if ok {
				base = ms[i].val
			}
			pm.val = mergeObject(base, pm.val)
		}
		if ok {
			ms[i].val = pm.val
		} else {
			index[pm.key] = len(ms)
			ms = append(ms, pm)
		}
	}
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	for _, m := range ms {
		if m.val == nil {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		out.Write(m.rawKey)
		out.WriteByte(':')
		out.Write(m.val)
	}
	out.WriteByte('}')
	return out.Bytes()
}
