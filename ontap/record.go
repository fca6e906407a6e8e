package ontap

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/ontap/schema"
)

// Record is a generic ONTAP record: the whole object as a JSON tree whose
// every field the object's generated schema allows and the decoder
// type-checked. The objects beyond the storage contract (export policies,
// qtrees, LUNs, ...) are Records: no wire struct per kind, the schema is
// the shape. Trees are never modified in place once stored.
type Record struct {
	Extra Extra `json:"-"`
}

// AppendJSON encodes the record.
func (r Record) AppendJSON(b []byte) []byte {
	if r.Extra == nil {
		return append(b, "{}"...)
	}
	return appendAny(b, r.Extra)
}

// MarshalJSON encodes the record.
func (r Record) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// UnmarshalJSON decodes a record as a client reads it (any field kept).
func (r *Record) UnmarshalJSON(b []byte) error {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return err
	}
	r.Extra = toExtra(m).(Extra)
	return nil
}

func toExtra(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(Extra, len(x))
		for k, e := range x {
			out[k] = toExtra(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toExtra(e)
		}
		return out
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

var recordType = reflect.TypeFor[Record]()

// ObjectSchema returns the query schema of Records of obj: fields=,
// filters and order_by on every readable field; key names the identity
// fields (dotted paths, outermost scope first: {"volume.uuid", "id"} for a
// qtree), which order records and continue pages (start.<last key>);
// always names the top-level fields every record returns (its keys).
func ObjectSchema(obj *schema.Object, key []string, always ...string) *Schema {
	s := &Schema{typ: recordType, obj: obj, extra: 0, byName: map[string]*field{}, xkey: key, always: always, cheap: true}
	if len(key) > 0 {
		if f := obj.Field(key[len(key)-1]); f != nil && f.Type == schema.Integer {
			s.xkeyInt = true
		}
	}
	for k := range s.defaultNeeds {
		s.defaultNeeds[k] = []bool{}
	}
	return s
}

// ProjectRecord trims a record to the query's fields (default: the common
// fields, as a single GET returns), keeping the schema's always fields. The
// stored tree is not modified.
func (s *Schema) ProjectRecord(q *Query, r *Record) {
	sel := selCommonAll
	if q != nil && q.sel != nil {
		sel = q.sel
	}
	project(reflect.ValueOf(r).Elem(), s, sel, true)
}

// keepAlways returns p with tree's always fields added (p itself if it has
// them all).
func keepAlways(p, tree Extra, always []string) Extra {
	missing := false
	for _, k := range always {
		if _, ok := tree[k]; ok {
			if _, have := p[k]; !have {
				missing = true
				break
			}
		}
	}
	if !missing {
		return p
	}
	out := make(Extra, len(p)+len(always))
	for k, v := range p {
		out[k] = v
	}
	for _, k := range always {
		if v, ok := tree[k]; ok {
			out[k] = v
		}
	}
	return out
}

// RecordKey is the text of a record's identity: its key fields' values
// joined by "/".
func RecordKey(tree Extra, paths []string) string {
	var b strings.Builder
	for i, p := range paths {
		if i > 0 {
			b.WriteByte('/')
		}
		switch x := Lookup(tree, p).(type) {
		case string:
			b.WriteString(x)
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		}
	}
	return b.String()
}

// compareKeys orders record keys: as text, except that when the last
// segment is an integer, shorter numbers come first (so 9 < 10).
func compareKeys(a, b string, intKey bool) int {
	if intKey {
		ap, as := splitLast(a)
		bp, bs := splitLast(b)
		if c := strings.Compare(ap, bp); c != 0 {
			return c
		}
		if len(as) != len(bs) {
			if len(as) < len(bs) {
				return -1
			}
			return 1
		}
		return strings.Compare(as, bs)
	}
	return strings.Compare(a, b)
}

func splitLast(s string) (string, string) {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

// Lookup returns the value at a dotted path in tree, or nil.
func Lookup(tree Extra, path string) any {
	var cur any = tree
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := cur.(Extra)
		if !ok {
			return nil
		}
		cur = m[seg]
	}
	return cur
}

// LookupString returns the string at path in tree, or "".
func LookupString(tree Extra, path string) string {
	s, _ := Lookup(tree, path).(string)
	return s
}

// LookupInt returns the integer at path in tree and whether there is one.
func LookupInt(tree Extra, path string) (int64, bool) {
	n, ok := Lookup(tree, path).(int64)
	return n, ok
}

// With returns a copy of tree with v at the dotted path (nil removes it);
// tree is not modified.
func With(tree Extra, path string, v any) Extra {
	seg, rest, more := strings.Cut(path, ".")
	out := make(Extra, len(tree)+1)
	for k, x := range tree {
		out[k] = x
	}
	if !more {
		if v == nil {
			delete(out, seg)
		} else {
			out[seg] = v
		}
		return out
	}
	sub, _ := out[seg].(Extra)
	out[seg] = With(sub, rest, v)
	return out
}

// DecodeObject decodes a request body for obj the way [Decode] decodes
// one for a wire struct (nested objects or dotted keys, scalars as
// strings, enums checked, 262197 for an unknown field, 262196 for one the
// operation may not set) and returns it as a tree with the dotted paths of
// the fields it set, sorted.
func DecodeObject(obj *schema.Object, body []byte, opts DecodeOptions) (Extra, []string, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return Extra{}, nil, nil
	}
	expanded, err := parseBody(body, opts)
	if err != nil {
		return nil, nil, err
	}
	d := decoder{opts: opts}
	v, err := d.extraObject(obj, "", expanded, 0)
	if err != nil {
		return nil, nil, err
	}
	tree, _ := v.(Extra)
	if tree == nil {
		tree = Extra{}
	}
	slices.Sort(d.paths)
	return tree, d.paths, nil
}

// Generic reports whether the schema is one of generic Records
// (ObjectSchema) rather than of a wire struct.
func (s *Schema) Generic() bool { return s.typ == recordType }
