package ontap

import (
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nessie-go/nessie/ontap/schema"
)

// Extra holds the fields of a record that its wire struct does not model:
// a JSON object tree keyed by field name, rooted at the record (so
// {"space":{"logical_space":{"enforcement":true}}} sits beside the typed
// Space field and is merged with it on the wire). Values are string,
// int64, float64, bool, []any and Extra. Every field in it is one the
// object's generated schema (package schema) allows; the body decoder
// type-checks them. Trees are shared between records and never modified
// in place: projection and merging build new maps.
type Extra = map[string]any

// bindings maps a wire struct to the ONTAP object it is the shape of.
var bindings = map[reflect.Type]*schema.Object{
	reflect.TypeFor[Volume]():                 schema.Volume,
	reflect.TypeFor[Snapshot]():               schema.Snapshot,
	reflect.TypeFor[Aggregate]():              schema.Aggregate,
	reflect.TypeFor[Cluster]():                schema.Cluster,
	reflect.TypeFor[Node]():                   schema.Node,
	reflect.TypeFor[SVM]():                    schema.SVM,
	reflect.TypeFor[IPInterface]():            schema.IPInterface,
	reflect.TypeFor[Job]():                    schema.Job,
	reflect.TypeFor[ClusterSoftware]():        schema.Software,
	reflect.TypeFor[License]():                schema.LicensePackage,
	reflect.TypeFor[SnapMirrorRelationship](): schema.SnapmirrorRelationship,
	reflect.TypeFor[SVMPeer]():                schema.SVMPeer,
}

// commonExtras are, per wire struct, the top-level Extra fields a plain GET
// and fields=* return; the others are "expensive" in ONTAP's terms and come
// only when named or with fields=**. A struct not listed returns them all.
var commonExtras = map[reflect.Type]map[string]bool{
	reflect.TypeFor[Volume](): commonByObject[schema.Volume],
}

// commonByObject is commonExtras by generated object.
var commonByObject = map[*schema.Object]map[string]bool{
	schema.Volume: {"language": true, "snapshot_policy": true, "tiering": true, "snapshot_directory_access_enabled": true},
}

// Object returns the generated ONTAP object the schema's wire struct is
// bound to, or nil.
func (s *Schema) Object() *schema.Object { return s.obj }

// extraField returns the generated field at prefix+name if the schema is
// bound and the struct does not model it.
func (s *Schema) extraField(path string) *schema.Field {
	if s.obj == nil {
		return nil
	}
	return s.obj.Field(path)
}

// decodeExtra type-checks a body value for generated field f and returns
// it normalised (nil for an empty object or array).
func (d *decoder) decodeExtra(obj *schema.Object, f *schema.Field, raw any, depth int) (any, error) {
	if depth > MaxBodyDepth {
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "body", "The request body nests deeper than %d levels.", MaxBodyDepth)
	}
	if d.opts.Op != 0 && !d.opts.Response && !f.Can(d.opts.Op) && !emptyObject(raw) {
		return nil, ErrNotSettable(firstLeaf(f.Path, raw))
	}
	bad := func(v any) error { return ErrInvalidValue(f.Path, describe(v), "<"+f.Type.String()+">") }
	switch f.Type {
	case schema.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, bad(raw)
		}
		return d.extraObject(obj, f.Path, m, depth)
	case schema.ArrayOfObjects:
		var items []any
		switch x := raw.(type) {
		case []any:
			items = x
		case map[string]any:
			items = []any{x}
		default:
			return nil, bad(raw)
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, bad(it)
			}
			v, err := d.extraObject(obj, f.Path, m, depth)
			if err != nil {
				return nil, err
			}
			if v == nil {
				v = Extra{}
			}
			out = append(out, v)
		}
		if len(out) == 0 {
			return nil, nil
		}
		d.paths = append(d.paths, f.Path)
		return out, nil
	case schema.ArrayOfStrings, schema.ArrayOfIntegers, schema.ArrayOfBooleans, schema.ArrayOfNumbers, schema.ArrayOfDateTimes:
		items, ok := raw.([]any)
		if !ok {
			return nil, bad(raw)
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			v, ok := scalarValue(f, f.Type.Elem(), it, d.opts.Response)
			if !ok {
				return nil, bad(it)
			}
			out = append(out, v)
		}
		d.paths = append(d.paths, f.Path)
		return out, nil
	case schema.Any:
		d.paths = append(d.paths, f.Path)
		return raw, nil
	}
	v, ok := scalarValue(f, f.Type, raw, d.opts.Response)
	if !ok {
		if s, isStr := raw.(string); isStr && f.Type == schema.String {
			return nil, ErrInvalidValue(f.Path, s, strings.Join(f.Enum, "|"))
		}
		return nil, bad(raw)
	}
	d.paths = append(d.paths, f.Path)
	return v, nil
}

func (d *decoder) extraObject(obj *schema.Object, path string, m map[string]any, depth int) (any, error) {
	var out Extra
	keys := sortedKeys(m)
	for _, k := range keys {
		full := k
		if path != "" {
			full = path + "." + k
		}
		sub := obj.Field(full)
		if sub == nil {
			if d.opts.IgnoreUnknownFields {
				continue
			}
			return nil, ErrUnknownField("body", full)
		}
		if m[k] == nil {
			if d.opts.Nulls != nil {
				*d.opts.Nulls = append(*d.opts.Nulls, sub.Path)
			}
			continue
		}
		v, err := d.decodeExtra(obj, sub, m[k], depth+1)
		if err != nil {
			return nil, err
		}
		if v != nil {
			if out == nil {
				out = Extra{}
			}
			out[k] = v
		}
	}
	if out == nil {
		return nil, nil
	}
	return out, nil
}

// scalarValue converts a decoded JSON scalar to the stored form of type t:
// strings (enum-checked), int64 (sizes such as "1GB" accepted), float64,
// bool, or an RFC 3339 string.
func scalarValue(f *schema.Field, t schema.Type, raw any, anyEnum bool) (any, bool) {
	switch t {
	case schema.String:
		s, ok := raw.(string)
		if !ok || !anyEnum && !f.InEnum(s) {
			return nil, false
		}
		return s, true
	case schema.Integer:
		switch x := raw.(type) {
		case json.Number:
			n, err := strconv.ParseInt(x.String(), 10, 64)
			return n, err == nil
		case string:
			n, err := ParseSize(x)
			return n, err == nil
		}
	case schema.Number:
		switch x := raw.(type) {
		case json.Number:
			n, err := x.Float64()
			return n, err == nil && !math.IsInf(n, 0)
		case string:
			n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return n, err == nil && !math.IsInf(n, 0) && !math.IsNaN(n)
		}
	case schema.Boolean:
		switch x := raw.(type) {
		case bool:
			return x, true
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return true, true
			case "false":
				return false, true
			}
		}
	case schema.DateTime:
		s, ok := raw.(string)
		if !ok {
			return nil, false
		}
		t, err := ParseTime(s)
		if err != nil {
			return nil, false
		}
		// Stored and served as ONTAP renders times: UTC, whole seconds.
		return t.UTC().Truncate(time.Second).Format(TimeLayout), true
	}
	return nil, false
}

// setExtra stores v at the dotted path in tree, creating objects on the
// way, and returns the tree.
func setExtra(tree Extra, path string, v any) Extra {
	if tree == nil {
		tree = Extra{}
	}
	node := tree
	for {
		seg, rest, more := strings.Cut(path, ".")
		if !more {
			node[seg] = v
			return tree
		}
		next, _ := node[seg].(Extra)
		if next == nil {
			next = Extra{}
			node[seg] = next
		}
		node, path = next, rest
	}
}

// MergeExtra returns base with patch applied as an RFC 7386 merge patch
// (objects merge, everything else replaces); neither input is modified.
func MergeExtra(base, patch Extra) Extra {
	if len(patch) == 0 {
		return base
	}
	out := make(Extra, len(base)+len(patch))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		pm, ok1 := v.(Extra)
		bm, ok2 := out[k].(Extra)
		if ok1 && ok2 {
			out[k] = MergeExtra(bm, pm)
		} else {
			out[k] = v
		}
	}
	return out
}

// Gettable returns the part of tree that obj lets a client read: what a
// PATCH-only field (such as a volume's quota.enabled) set is kept in the
// stored tree but never rendered.
func Gettable(obj *schema.Object, tree Extra) Extra {
	return gettable(obj, "", tree)
}

func gettable(obj *schema.Object, prefix string, tree Extra) Extra {
	var out Extra
	for k, v := range tree {
		f := obj.Field(prefix + k)
		if f == nil || !f.Can(schema.Get) {
			continue
		}
		switch x := v.(type) {
		case Extra:
			v = gettable(obj, f.Path+".", x)
			if len(v.(Extra)) == 0 {
				continue
			}
		case []any:
			if f.Type == schema.ArrayOfObjects {
				arr := make([]any, len(x))
				for i, e := range x {
					m, _ := e.(Extra)
					arr[i] = gettable(obj, f.Path+".", m)
				}
				v = arr
			}
		}
		if out == nil {
			out = Extra{}
		}
		out[k] = v
	}
	return out
}

// projectExtra returns the part of tree sel selects (tree itself when it
// selects all of it).
func projectExtra(tree Extra, sel *selection, common map[string]bool) Extra {
	if sel.mode == selAll || sel.mode == selCommon && common == nil && len(sel.children) == 0 {
		return tree
	}
	if keepsAll(tree, sel, common) {
		return tree // no copy when nothing is dropped (a record's default view)
	}
	var out Extra
	for k, v := range tree {
		c := sel.children[k]
		switch {
		case c != nil && c.mode == selAll:
		case c != nil:
			if sel.mode == selCommon && c.mode == selNone && (common == nil || common[k]) {
				c = &selection{mode: selCommon, children: c.children}
			}
			v = projectExtraValue(v, c)
			if v == nil {
				continue
			}
		case sel.mode == selNone, common != nil && !common[k]:
			continue
		}
		if out == nil {
			out = make(Extra, len(tree))
		}
		out[k] = v
	}
	return out
}

// keepsAll reports whether projecting tree with sel keeps every key
// unchanged.
func keepsAll(tree Extra, sel *selection, common map[string]bool) bool {
	for k := range tree {
		c := sel.children[k]
		switch {
		case c != nil && c.mode == selAll:
		case c != nil, sel.mode == selNone, common != nil && !common[k]:
			return false
		}
	}
	return true
}

func projectExtraValue(v any, sel *selection) any {
	switch x := v.(type) {
	case Extra:
		if m := projectExtra(x, sel, nil); len(m) > 0 {
			return m
		}
		return nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			m, _ := e.(Extra)
			out[i] = projectExtra(m, sel, nil)
		}
		return out
	}
	return v // a scalar named as if it were an object: keep it
}

// collectExtra appends the scalars at segs within tree, fanning out over
// arrays.
func collectExtra(v any, segs []string, out []any) []any {
	if len(segs) == 0 {
		switch x := v.(type) {
		case nil, Extra:
			return out
		case []any:
			for _, e := range x {
				if _, isObj := e.(Extra); !isObj && e != nil {
					out = append(out, e)
				}
			}
			return out
		}
		return append(out, v)
	}
	switch x := v.(type) {
	case Extra:
		return collectExtra(x[segs[0]], segs[1:], out)
	case []any:
		for _, e := range x {
			out = collectExtra(e, segs, out)
		}
	}
	return out
}

// extraOperand is a stored extra value as a filter operand of kind k.
func extraOperand(v any, k kind) (operand, bool) {
	switch x := v.(type) {
	case string:
		if k == kTime {
			t, err := ParseTime(x)
			return operand{t: t}, err == nil
		}
		return operand{s: x}, k == kString
	case int64:
		return operand{i: x}, k == kInt
	case float64:
		if k == kInt && x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return operand{i: int64(x)}, true
		}
		return operand{s: strconv.FormatFloat(x, 'g', -1, 64)}, k == kString
	case bool:
		return operand{b: x}, k == kBool
	}
	return operand{}, false
}

func kindOfType(t schema.Type) kind {
	switch t.Elem() {
	case schema.Integer:
		return kInt
	case schema.Boolean:
		return kBool
	case schema.DateTime:
		return kTime
	case schema.Struct:
		return kObject
	case schema.ArrayOfObjects:
		return kObjects
	}
	return kString
}

// ---- encoding ----

// appendRecord encodes v (a struct described by s) as JSON, merging the
// extra tree into it, omitting empty fields as encoding/json's omitempty
// does. memo, if not nil, holds what earlier records of the same encoding
// derived from their trees (see extraMemo).
func appendRecord(b []byte, v reflect.Value, s *Schema, extra Extra, memo extraMemo) []byte {
	b = append(b, '{')
	first := true
	var plan *extraPlan
	if len(extra) > 0 && memo != nil {
		plan = memo.plan(s, extra)
	}
	for i, f := range s.fields {
		fv := v.Field(f.index)
		var sub Extra
		var subJSON []byte
		switch {
		case plan != nil:
			if plan.subs != nil {
				sub, subJSON = plan.subs[i], plan.subJSON[i]
			}
		case len(extra) > 0 && f.kind == kObject:
			// Only an object merges stored attributes under its name (a
			// scalar has no children, an array's elements take none);
			// skipping the others spares a map lookup per field.
			sub, _ = extra[f.name].(Extra)
		}
		if f.omitEmpty && isEmpty(fv) {
			if len(sub) > 0 {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = append(b, f.jsonKey...)
				if subJSON != nil {
					b = append(b, subJSON...)
				} else {
					b = appendAny(b, sub)
				}
			}
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.jsonKey...)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				b = append(b, "null"...)
				continue
			}
			fv = fv.Elem()
		}
		switch f.kind {
		case kString:
			b = appendString(b, fv.String())
		case kInt:
			b = strconv.AppendInt(b, fv.Int(), 10)
		case kBool:
			b = strconv.AppendBool(b, fv.Bool())
		case kTime:
			b = append(b, '"')
			b = fv.Interface().(Time).AppendFormat(b, TimeLayout)
			b = append(b, '"')
		case kObject:
			b = appendRecord(b, fv, f.sub, sub, memo)
		case kObjects:
			b = append(b, '[')
			for i := range fv.Len() {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendRecord(b, fv.Index(i), f.sub, nil, memo)
			}
			b = append(b, ']')
		case kStrings:
			b = append(b, '[')
			for i := range fv.Len() {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, fv.Index(i).String())
			}
			b = append(b, ']')
		}
	}
	switch {
	case plan != nil:
		if len(plan.tail) > 0 {
			if !first {
				b = append(b, ',')
			}
			b = append(b, plan.tail...)
		}
	case len(extra) > 0:
		b = appendExtraTail(b, s, extra, first)
	}
	return append(b, '}')
}

// appendExtraTail appends the members of extra that s does not model, in
// key order, each preceded by a comma unless first.
func appendExtraTail(b []byte, s *Schema, extra Extra, first bool) []byte {
	var arr [16]string
	keys := arr[:0]
	for k := range extra {
		if s.byName[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendAny(b, extra[k])
	}
	return b
}

// extraMemo remembers, during one encoding of many records, what
// appendRecord derives from an attribute tree: the records of a listing
// mostly share their trees (an object's default attributes are one
// immutable map), so the listing derives and encodes each tree once
// rather than once per record. Trees are told apart by identity, which is
// sound while every tree met is alive and unchanged: during one encoding
// the records being encoded hold them, and attribute trees are immutable.
type extraMemo map[extraMemoKey]*extraPlan

type extraMemoKey struct {
	s    *Schema
	tree uintptr
}

// extraPlan is what appendRecord needs from a tree under one schema: the
// subtree merged into each object field (by field position; nil when no
// field has one) with its encoding, and the encoding of the members the
// schema does not model (without a leading comma).
type extraPlan struct {
	subs    []Extra
	subJSON [][]byte
	tail    []byte
}

func (m extraMemo) plan(s *Schema, extra Extra) *extraPlan {
	k := extraMemoKey{s, reflect.ValueOf(extra).Pointer()}
	if p := m[k]; p != nil {
		return p
	}
	p := &extraPlan{}
	for i, f := range s.fields {
		if f.kind != kObject {
			continue
		}
		if sub, _ := extra[f.name].(Extra); len(sub) > 0 {
			if p.subs == nil {
				p.subs = make([]Extra, len(s.fields))
				p.subJSON = make([][]byte, len(s.fields))
			}
			p.subs[i], p.subJSON[i] = sub, appendAny(nil, sub)
		}
	}
	p.tail = appendExtraTail(nil, s, extra, true)
	m[k] = p
	return p
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil()
	case reflect.Slice, reflect.String:
		return v.Len() == 0
	}
	return v.IsZero()
}

// appendAny encodes an extra value.
func appendAny(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case Extra:
		var arr [16]string
		keys := arr[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendAny(b, x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAny(b, e)
		}
		return append(b, ']')
	case nil:
		return append(b, "null"...)
	}
	// Not produced by the decoder; encode it the standard way.
	j, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the ASCII bytes a JSON string holds unescaped.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether the 8 bytes of x are all plainASCII (no
// control character, '"', '\\' or non-ASCII byte), testing them at once:
// (y - 0x01…) &^ y & 0x80… is non-zero exactly when y has a zero byte.
func plainWord(x uint64) bool {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	q := x ^ ones*'"'
	bs := x ^ ones*'\\'
	// A byte below 0x20 borrows into its high bit when 0x20 is taken away
	// (bytes from 0x80 up are caught by x itself).
	return ((x-ones*0x20)&^x|(q-ones)&^q|(bs-ones)&^bs|x)&high == 0
}

// load8 returns the first 8 bytes of w as a little-endian word.
func load8(w string) uint64 {
	_ = w[7] // one bounds check
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// appendString appends s as a JSON string (no HTML escaping; invalid UTF-8
// becomes U+FFFD, as encoding/json does).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain bytes at a time: most strings (UUIDs, names,
		// links) need no escaping.
		for i+8 <= len(s) && plainWord(load8(s[i:])) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// NeedsExtra reports whether answering the query can use the record's
// Extra tree, so record builders can skip attaching it for a plain
// listing of keys. A nil Query needs everything.
func (q *Query) NeedsExtra() bool {
	if q == nil {
		return true
	}
	sel := q.sel
	if sel == nil {
		sel = q.schema.defaultSelection(q.kind)
	}
	if sel.mode != selNone {
		return true
	}
	for name := range sel.children {
		if f := q.schema.byName[name]; f == nil || f.sub != nil {
			return true
		}
	}
	for _, f := range q.filters {
		if f.path == nil {
			return true
		}
	}
	for _, o := range q.order {
		if o.path == nil {
			return true
		}
	}
	return false
}

// DefaultRecord reports whether q asks for a single record's default
// fields (a GET without fields=).
func (q *Query) DefaultRecord() bool {
	return q != nil && q.kind == QueryRecord && q.sel == nil
}

// CommonExtra reports whether the Extra fields q needs are exactly the
// common ones: a record's default fields, or fields=* and nothing else,
// with no filter or order_by on an Extra field. A record builder can then
// hand out its precomputed common view, which projecting leaves as it is,
// instead of the full view that projecting copies (one map per record of
// a fields=* listing).
func (q *Query) CommonExtra() bool {
	if q.DefaultRecord() {
		return true
	}
	if q == nil || q.sel == nil || q.sel.mode != selCommon || len(q.sel.children) > 0 {
		return false
	}
	for _, f := range q.filters {
		if f.path == nil {
			return false
		}
	}
	for _, o := range q.order {
		if o.path == nil {
			return false
		}
	}
	return true
}

// commonOnly reports whether q returns exactly the common fields and
// reads no other: a record's default fields, or fields=* alone, with no
// filter or order_by. A record builder may then leave out the expensive
// fields, which projecting would remove.
func (q *Query) commonOnly() bool {
	if q.DefaultRecord() {
		return true
	}
	return q != nil && q.sel != nil && q.sel.mode == selCommon && len(q.sel.children) == 0 &&
		len(q.filters) == 0 && len(q.order) == 0
}

// marshalRecord encodes a bound wire struct with its Extra tree merged in.
func marshalRecord[T any](v *T) ([]byte, error) {
	s := SchemaOf[T]()
	rv := reflect.ValueOf(v).Elem()
	var tree Extra
	if s.extra >= 0 {
		tree, _ = rv.Field(s.extra).Interface().(Extra)
	}
	return appendRecord(make([]byte, 0, 256), rv, s, tree, nil), nil
}

// unmarshalRecord decodes a record as a client reads it, keeping the
// fields the struct does not model in its Extra.
func unmarshalRecord[T any](b []byte, v *T) error {
	rec, _, err := Decode[T](b, DecodeOptions{IgnoreUnknownFields: true, Response: true})
	if err != nil {
		return err
	}
	*v = *rec
	return nil
}
