package ontap

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nessie-go/nessie/ontap/schema"
)

// QueryKind says which query parameters a request may carry.
type QueryKind uint8

// The kinds of request, by what their query may hold.
const (
	// QueryCollection is a collection GET: fields, filters, order_by,
	// max_records, return_records, return_timeout, start.<key>.
	QueryCollection QueryKind = iota + 1
	// QueryRecord is a single-record GET: fields only.
	QueryRecord
	// QueryMutation is POST, or PATCH/DELETE of one record:
	// return_timeout and return_records.
	QueryMutation
	// QueryMutationByQuery is PATCH/DELETE on a collection: filters
	// (at least one), return_timeout (default 15), return_records and
	// the bulk flags continue_on_failure and serial_records.
	QueryMutationByQuery
)

// MaxReturnTimeout is the longest return_timeout ONTAP accepts, in seconds.
const MaxReturnTimeout = 120

// Query is a parsed request query for one resource schema.
type Query struct {
	schema *Schema
	kind   QueryKind
	sel    *selection
	// filters hold one entry per filter parameter; all must match.
	filters []filter
	order   []orderKey

	// MaxRecords caps a collection page; 0 means no cap.
	MaxRecords int
	// ReturnRecords is return_records (default true on GET, false on
	// mutations).
	ReturnRecords bool
	// ReturnTimeout is return_timeout in seconds.
	ReturnTimeout int
	// IgnoreUnknownFields is ignore_unknown_fields.
	IgnoreUnknownFields bool
	// Start is the start.<key> value of a continued collection GET.
	Start string
	// NaturalOrder says the records handed to Page are already in the
	// resource's natural order (snapshots: oldest first), to be kept when
	// there is no order_by. Otherwise records are ordered by key.
	NaturalOrder bool
	// Extra holds the operation-specific parameters the caller allowed
	// (e.g. force, restore_to.snapshot.name), first value each.
	Extra map[string]string

	raw   url.Values
	needs []bool
}

// Needs reports whether answering the query needs the record's top-level
// field name: it is selected (or the default selection includes it), or a
// filter or order_by reads it. Record builders use it to skip work; a nil
// Query needs everything.
func (q *Query) Needs(name string) bool {
	if q == nil {
		return true
	}
	f := q.schema.byName[name]
	if f == nil {
		return false
	}
	return q.needsPos(f.pos)
}

// FieldID is a top-level field of a schema resolved once (at package
// initialisation), so a record builder asks NeedsField per record without
// a lookup by name.
type FieldID struct {
	s    *Schema
	name string
	pos  int
}

// FieldID returns the ID of s's top-level field name; it panics if there
// is none (a programming error caught at initialisation).
func (s *Schema) FieldID(name string) FieldID {
	f := s.byName[name]
	if f == nil {
		panic("ontap: no field " + name)
	}
	return FieldID{s: s, name: name, pos: f.pos}
}

// NeedsField is Needs for a field resolved in advance.
func (q *Query) NeedsField(id FieldID) bool {
	if q == nil {
		return true
	}
	if q.schema != id.s {
		return q.Needs(id.name)
	}
	return q.needsPos(id.pos)
}

func (q *Query) needsPos(pos int) bool {
	if q.needs == nil {
		if q.sel == nil && len(q.filters) == 0 && len(q.order) == 0 {
			q.needs = q.schema.defaultNeeds[q.kind]
		} else {
			sel := q.sel
			if sel == nil {
				sel = q.schema.defaultSelection(q.kind)
			}
			q.needs = needsFor(q.schema, sel)
			for _, f := range q.filters {
				if f.path != nil {
					q.needs[f.path[0].pos] = true
				}
			}
			for _, o := range q.order {
				if o.path != nil {
					q.needs[o.path[0].pos] = true
				}
			}
		}
	}
	return q.needs[pos]
}

func (s *Schema) defaultSelection(k QueryKind) *selection {
	if k == QueryCollection || k == QueryMutationByQuery {
		return selKeysOnly
	}
	return selCommonAll
}

// needsFor says, by field position, which root fields sel selects.
func needsFor(s *Schema, sel *selection) []bool {
	out := make([]bool, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.level == levelKey || sel.mode == selAll || sel.children[f.name] != nil ||
			sel.mode == selCommon && f.level != levelExpensive
	}
	return out
}

// HasFilters reports whether the query filters records.
func (q *Query) HasFilters() bool { return len(q.filters) > 0 }

// ParseQuery parses a request's query string for resource schema s.
// allow names extra operation-specific parameters to accept (returned in
// Query.Extra). Unknown parameters fail with 262179 and unknown names in
// fields with 262197, unless ignore_unknown_fields=true.
func (s *Schema) ParseQuery(v url.Values, k QueryKind, allow ...string) (*Query, error) {
	q := &Query{schema: s, kind: k, raw: v}
	switch k {
	case QueryCollection, QueryRecord:
		q.ReturnRecords = true
	case QueryMutationByQuery:
		q.ReturnTimeout = 15
	}
	if raw, ok := v["ignore_unknown_fields"]; ok {
		b, err := parseBoolParam("ignore_unknown_fields", raw[0])
		if err != nil {
			return nil, err
		}
		q.IgnoreUnknownFields = b
	}
	keys := sortedKeys(v) // deterministic error reporting
	for _, key := range keys {
		vals := v[key]
		val := vals[0]
		switch {
		case key == "ignore_unknown_fields":
		case key == "fields" && (k == QueryCollection || k == QueryRecord):
			sel, err := s.parseFields(strings.Join(vals, ","), q.IgnoreUnknownFields)
			if err != nil {
				return nil, err
			}
			q.sel = sel
		case key == "return_timeout":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 0 || n > MaxReturnTimeout {
				return nil, ErrInvalidValue(key, val, "<integer 0-120>")
			}
			q.ReturnTimeout = n
		case key == "return_records":
			b, err := parseBoolParam(key, val)
			if err != nil {
				return nil, err
			}
			q.ReturnRecords = b
		case k == QueryRecord && key == "max_records":
			// Meaningless for one record, but ONTAP accepts it there, and
			// Ansible's na_ontap_rest_info sends it with every subset,
			// including GET /api/cluster. Still validated.
			if n, err := strconv.Atoi(strings.TrimSpace(val)); (err != nil && !errors.Is(err, strconv.ErrRange)) || n < 0 || strings.HasPrefix(strings.TrimSpace(val), "-") {
				return nil, ErrInvalidValue(key, val, "<non-negative integer>")
			}
		case k == QueryCollection && key == "max_records":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(strings.TrimSpace(val), "-") {
				n, err = math.MaxInt, nil // more than any collection holds
			}
			if err != nil || n < 0 {
				return nil, ErrInvalidValue(key, val, "<non-negative integer>")
			}
			q.MaxRecords = n
		case k == QueryCollection && key == "order_by":
			ord, err := s.parseOrder(strings.Join(vals, ","), q.IgnoreUnknownFields)
			if err != nil {
				return nil, err
			}
			q.order = ord
		case k == QueryCollection && s.KeyName() != "" && key == "start."+s.KeyName():
			q.Start = val
		case k == QueryMutationByQuery && (key == "continue_on_failure" || key == "serial_records"):
			if _, err := parseBoolParam(key, val); err != nil {
				return nil, err
			}
		case slices.Contains(allow, key):
			if q.Extra == nil {
				q.Extra = map[string]string{}
			}
			q.Extra[key] = val
		case k == QueryCollection || k == QueryMutationByQuery:
			key = objectByName(s, key)
			path := s.resolve(key)
			var xf *schema.Field
			if path == nil {
				if xf = s.extraField(key); xf == nil {
					if q.IgnoreUnknownFields {
						continue
					}
					return nil, ErrUnexpectedArgument(key)
				}
			}
			for _, val := range vals {
				f, err := newFilter(key, path, xf, val)
				if err != nil {
					return nil, err
				}
				q.filters = append(q.filters, f)
			}
		default:
			if q.IgnoreUnknownFields {
				continue
			}
			return nil, ErrUnexpectedArgument(key)
		}
	}
	if k == QueryMutationByQuery && len(q.filters) == 0 {
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "",
			"A PATCH or DELETE on a collection requires at least one query field to select records.")
	}
	if k == QueryCollection && len(q.filters) > 0 {
		// ONTAP's records carry the fields a query filters on.
		sel := q.sel
		if sel == nil {
			sel = selKeysOnly
		}
		sel = sel.clone()
		for _, f := range q.filters {
			sel.add(f.name)
		}
		q.sel = sel
	}
	return q, nil
}

func parseBoolParam(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, ErrInvalidValue(name, v, "<boolean>")
}

// selection is a parsed fields parameter, as a tree.
type selection struct {
	mode     selMode
	children map[string]*selection
}

type selMode uint8

const (
	selNone   selMode = iota // only the children named
	selCommon                // common fields (fields=*) plus named children
	selAll                   // everything below (fields=**, or an object named)
)

// add selects everything under the dotted path.
func (sel *selection) add(path string) {
	node := sel
	for seg := range strings.SplitSeq(path, ".") {
		if node.children == nil {
			node.children = map[string]*selection{}
		}
		c := node.children[seg]
		if c == nil {
			c = &selection{}
			node.children[seg] = c
		}
		node = c
	}
	node.mode = selAll
}

// clone copies the selection tree.
func (sel *selection) clone() *selection {
	out := &selection{mode: sel.mode}
	if sel.children != nil {
		out.children = make(map[string]*selection, len(sel.children))
		for k, c := range sel.children {
			out.children[k] = c.clone()
		}
	}
	return out
}

var (
	selCommonAll = &selection{mode: selCommon}
	selKeysOnly  = &selection{mode: selNone}
)

func (s *Schema) parseFields(spec string, ignoreUnknown bool) (*selection, error) {
	root := &selection{mode: selNone}
	named := false
	for tok := range strings.SplitSeq(spec, ",") {
		tok = strings.TrimSpace(tok)
		if tok != "" {
			named = true
		}
		switch tok {
		case "":
			continue
		case "*":
			root.mode = max(root.mode, selCommon)
			continue
		case "**":
			root.mode = selAll
			continue
		}
		// "root.*" names the object root, whole (Ansible's na_ontap_nfs
		// asks for fields that way).
		tok = strings.TrimSuffix(tok, ".*")
		if s.resolve(tok) == nil && s.extraField(tok) == nil {
			if ignoreUnknown {
				continue
			}
			return nil, ErrUnknownField("fields", tok)
		}
		root.add(tok)
	}
	if !named {
		return nil, nil // fields= with nothing in it: the default
	}
	return root, nil
}

// project clears every field of v (a struct) that sel does not select.
// Objects it descends into are copied first, so records may share
// sub-objects safely.
func project(v reflect.Value, s *Schema, sel *selection, root bool) {
	if sel.mode == selAll {
		return
	}
	if s.extra >= 0 {
		ev := v.Field(s.extra)
		if tree, _ := ev.Interface().(Extra); len(tree) > 0 {
			p := projectExtra(tree, sel, s.commonExtra)
			if root {
				p = keepAlways(p, tree, s.always)
			}
			if len(p) == 0 {
				ev.SetZero()
			} else {
				ev.Set(reflect.ValueOf(p))
			}
		}
	}
	for _, f := range s.fields {
		fv := v.Field(f.index)
		if fv.IsZero() {
			continue
		}
		if root && f.level == levelKey {
			continue
		}
		if c := sel.children[f.name]; c != nil {
			if c.mode != selAll && f.sub != nil {
				if sel.mode == selCommon && c.mode == selNone {
					c = &selection{mode: selCommon, children: c.children}
				}
				projectChild(fv, f, c)
			}
			continue
		}
		if sel.mode == selCommon && f.level != levelExpensive {
			if f.sub != nil && !f.sub.cheap {
				projectChild(fv, f, selCommonAll)
			}
			continue
		}
		fv.SetZero()
	}
}

func projectChild(fv reflect.Value, f *field, sel *selection) {
	if childKept(fv, f, sel) {
		// Nothing to trim: spare the copy (a fields=* listing would
		// otherwise copy each record's nas and clone objects).
		return
	}
	switch f.kind {
	case kObject:
		cp := reflect.New(f.elem)
		cp.Elem().Set(fv.Elem())
		project(cp.Elem(), f.sub, sel, false)
		if cp.Elem().IsZero() {
			fv.SetZero()
		} else {
			fv.Set(cp)
		}
	case kObjects:
		cp := reflect.MakeSlice(fv.Type(), fv.Len(), fv.Len())
		reflect.Copy(cp, fv)
		for i := range cp.Len() {
			project(cp.Index(i), f.sub, sel, false)
		}
		fv.Set(cp)
	}
}

// childKept reports whether projectChild(fv, f, sel) would leave fv as
// it is. It may say false when it would (then projectChild copies and
// projects as before), never true when it would not.
func childKept(fv reflect.Value, f *field, sel *selection) bool {
	switch f.kind {
	case kObject:
		return !fv.Elem().IsZero() && kept(fv.Elem(), f.sub, sel)
	case kObjects:
		for i := range fv.Len() {
			if !kept(fv.Index(i), f.sub, sel) {
				return false
			}
		}
		return true
	}
	return false
}

// kept reports whether project(v, s, sel, false) would leave v as it is,
// following project's decisions without changing anything.
func kept(v reflect.Value, s *Schema, sel *selection) bool {
	if sel.mode == selAll {
		return true
	}
	if s.extra >= 0 {
		return false
	}
	for _, f := range s.fields {
		fv := v.Field(f.index)
		if fv.IsZero() {
			continue
		}
		if c := sel.children[f.name]; c != nil {
			if c.mode != selAll && f.sub != nil {
				if sel.mode == selCommon && c.mode == selNone {
					return false
				}
				if !childKept(fv, f, c) {
					return false
				}
			}
			continue
		}
		if sel.mode == selCommon && f.level != levelExpensive {
			if f.sub != nil && !f.sub.cheap && !childKept(fv, f, selCommonAll) {
				return false
			}
			continue
		}
		return false
	}
	return true
}

// Project trims a single record to the query's fields (default: the common
// fields, as a single GET returns).
func Project[T any](q *Query, rec *T) {
	sel := selCommonAll
	if q != nil && q.sel != nil {
		sel = q.sel
	}
	project(reflect.ValueOf(rec).Elem(), SchemaOf[T](), sel, true)
}

// ProjectBuilt is Project for a record built for q by a builder that,
// when q returns the common fields alone (a GET without fields=, or with
// fields=* only), leaves out every field q does not return, as
// VolumeRecord does: it does not trim such a record again.
func ProjectBuilt[T any](q *Query, rec *T) {
	if q.commonOnly() {
		return
	}
	Project(q, rec)
}

// ---- filters ----

type filterOp uint8

const (
	opEq filterOp = iota
	opLt
	opLe
	opGt
	opGe
	opRange
	opGlob
	opNull
	opNotNull
)

type operand struct {
	s string
	i int64
	// beyond is +1 (or -1) for an integer operand above (below) the int64
	// range: it orders after (before) every stored value and equals none.
	beyond int8
	b      bool
	t      time.Time
}

type alt struct {
	neg    bool
	op     filterOp
	lo, hi operand
}

type filter struct {
	name string
	path []*field // a typed field, or nil for an extra one
	segs []string // the extra field's path segments
	kind kind
	alts []alt
}

func newFilter(name string, path []*field, xf *schema.Field, val string) (filter, error) {
	var k kind
	if path != nil {
		k = path[len(path)-1].kind
	} else {
		k = kindOfType(xf.Type)
	}
	if k == kStrings {
		k = kString
	}
	if !k.scalar() {
		return filter{}, Errorf(http.StatusBadRequest, CodeInvalidValue, name, "Field %q is an object; filter on one of its fields instead.", name)
	}
	f := filter{name: name, path: path, kind: k}
	if path == nil {
		f.segs = strings.Split(name, ".")
	}
	for a := range strings.SplitSeq(val, "|") {
		var x alt
		switch a {
		case "null":
			x.op = opNull
			f.alts = append(f.alts, x)
			continue
		case "!null":
			x.op = opNotNull
			f.alts = append(f.alts, x)
			continue
		}
		if rest, ok := strings.CutPrefix(a, "!"); ok {
			x.neg, a = true, rest
		}
		if k == kString && len(a) >= 2 && a[0] == '"' && a[len(a)-1] == '"' {
			// A quoted value is literal: no wildcard, range or
			// alternative (Ansible quotes names: name="q1").
			x.lo.s = a[1 : len(a)-1]
			f.alts = append(f.alts, x)
			continue
		}
		switch {
		case strings.HasPrefix(a, "<="):
			x.op, a = opLe, a[2:]
		case strings.HasPrefix(a, ">="):
			x.op, a = opGe, a[2:]
		case strings.HasPrefix(a, "<"):
			x.op, a = opLt, a[1:]
		case strings.HasPrefix(a, ">"):
			x.op, a = opGt, a[1:]
		default:
			if lo, hi, ok := strings.Cut(a, ".."); ok && k != kString || ok && lo != "" && hi != "" {
				var err error
				if x.lo, err = parseOperand(name, k, lo); err != nil {
					return f, err
				}
				if x.hi, err = parseOperand(name, k, hi); err != nil {
					return f, err
				}
				x.op = opRange
				f.alts = append(f.alts, x)
				continue
			}
			if k == kString && strings.Contains(a, "*") {
				x.op, x.lo.s = opGlob, a
				f.alts = append(f.alts, x)
				continue
			}
			if k != kString && a == "*" {
				x.op = opNotNull
				f.alts = append(f.alts, x)
				continue
			}
		}
		var err error
		if x.lo, err = parseOperand(name, k, a); err != nil {
			return f, err
		}
		f.alts = append(f.alts, x)
	}
	return f, nil
}

func parseOperand(name string, k kind, s string) (operand, error) {
	switch k {
	case kInt:
		n, err := ParseSize(s)
		if errors.Is(err, strconv.ErrRange) {
			// Beyond int64: no field equals it, and it orders past all.
			if strings.HasPrefix(strings.TrimSpace(s), "-") {
				return operand{beyond: -1}, nil
			}
			return operand{beyond: 1}, nil
		}
		if err != nil {
			return operand{}, ErrInvalidValue(name, s, "<integer>")
		}
		return operand{i: n}, nil
	case kBool:
		switch strings.ToLower(s) {
		case "true":
			return operand{b: true}, nil
		case "false":
			return operand{b: false}, nil
		}
		return operand{}, ErrInvalidValue(name, s, "<boolean>")
	case kTime:
		t, err := ParseTime(s)
		if err != nil {
			return operand{}, ErrInvalidValue(name, s, "<date-time>")
		}
		return operand{t: t}, nil
	}
	return operand{s: s}, nil
}

// collect appends the scalar values at path within v (a struct), fanning
// out over arrays.
func collect(v reflect.Value, path []*field, out []reflect.Value) []reflect.Value {
	f := path[0]
	fv := v.Field(f.index)
	switch f.kind {
	case kObject:
		if fv.IsNil() || len(path) == 1 {
			return out
		}
		return collect(fv.Elem(), path[1:], out)
	case kObjects:
		if len(path) == 1 {
			return out
		}
		for i := range fv.Len() {
			out = collect(fv.Index(i), path[1:], out)
		}
		return out
	case kStrings:
		for i := range fv.Len() {
			out = append(out, fv.Index(i))
		}
		return out
	}
	if fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return out
		}
		fv = fv.Elem()
	}
	return append(out, fv)
}

func scalarOf(v reflect.Value, k kind) operand {
	switch k {
	case kInt:
		return operand{i: v.Int()}
	case kBool:
		return operand{b: v.Bool()}
	case kTime:
		return operand{t: v.Interface().(Time).Time}
	}
	return operand{s: v.String()}
}

func compareOperand(k kind, a, b operand) int {
	switch k {
	case kInt:
		if a.beyond != b.beyond {
			return cmp.Compare(a.beyond, b.beyond)
		}
		return cmp.Compare(a.i, b.i)
	case kBool:
		switch {
		case a.b == b.b:
			return 0
		case !a.b:
			return -1
		}
		return 1
	case kTime:
		return a.t.Compare(b.t)
	}
	return strings.Compare(a.s, b.s)
}

func (f *filter) match(v reflect.Value, extra int, buf []reflect.Value) bool {
	if f.path == nil {
		return f.matchExtra(v, extra)
	}
	vals := collect(v, f.path, buf[:0])
	for _, a := range f.alts {
		switch a.op {
		case opNull:
			if len(vals) == 0 {
				return true
			}
			continue
		case opNotNull:
			if len(vals) > 0 {
				return true
			}
			continue
		}
		if len(vals) == 0 {
			continue
		}
		if a.neg {
			none := true
			for _, x := range vals {
				if a.test(f.kind, scalarOf(x, f.kind)) {
					none = false
					break
				}
			}
			if none {
				return true
			}
			continue
		}
		for _, x := range vals {
			if a.test(f.kind, scalarOf(x, f.kind)) {
				return true
			}
		}
	}
	return false
}

func (f *filter) matchExtra(v reflect.Value, extra int) bool {
	var tree Extra
	if extra >= 0 {
		tree, _ = v.Field(extra).Interface().(Extra)
	}
	var arr [4]any
	raw := collectExtra(tree, f.segs, arr[:0])
	var opsArr [4]operand
	vals := opsArr[:0]
	for _, x := range raw {
		if o, ok := extraOperand(x, f.kind); ok {
			vals = append(vals, o)
		}
	}
	for _, a := range f.alts {
		switch a.op {
		case opNull:
			if len(vals) == 0 {
				return true
			}
			continue
		case opNotNull:
			if len(vals) > 0 {
				return true
			}
			continue
		}
		hit := false
		for _, x := range vals {
			if a.test(f.kind, x) {
				hit = true
				break
			}
		}
		if a.neg && len(vals) > 0 && !hit || !a.neg && hit {
			return true
		}
	}
	return false
}

func (a *alt) test(k kind, x operand) bool {
	switch a.op {
	case opGlob:
		return Glob(a.lo.s, x.s)
	case opRange:
		return compareOperand(k, x, a.lo) >= 0 && compareOperand(k, x, a.hi) <= 0
	}
	c := compareOperand(k, x, a.lo)
	switch a.op {
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	}
	return c == 0
}

// Glob reports whether s matches pattern, where '*' matches any run of
// characters (including none) and every other character matches itself.
func Glob(pattern, s string) bool {
	// Iterative matcher with single backtrack point: O(len(pattern)*len(s)).
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ---- order ----

type orderKey struct {
	path []*field // a typed field, or nil for an extra one
	segs []string // the extra field's path segments
	kind kind
	desc bool
}

func (s *Schema) parseOrder(spec string, ignoreUnknown bool) ([]orderKey, error) {
	var out []orderKey
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, dir, _ := strings.Cut(item, " ")
		dir = strings.ToLower(strings.TrimSpace(dir))
		if dir != "" && dir != "asc" && dir != "desc" {
			return nil, ErrInvalidValue("order_by", item, "<field> [asc|desc]")
		}
		path := s.resolve(name)
		var k kind
		var segs []string
		switch {
		case path != nil:
			k = path[len(path)-1].kind
		case s.extraField(name) != nil:
			k, segs = kindOfType(s.extraField(name).Type), strings.Split(name, ".")
		case ignoreUnknown:
			continue
		default:
			return nil, ErrUnknownField("order_by", name)
		}
		if k == kStrings {
			k = kString
		}
		if !k.scalar() {
			return nil, ErrInvalidValue("order_by", name, "<scalar field>")
		}
		out = append(out, orderKey{path: path, segs: segs, kind: k, desc: dir == "desc"})
	}
	return out, nil
}

// sortKey is one record's ordering values: one per order key (nil = unset)
// then the record key.
type sortKey struct {
	vals []*operand
	key  string
	idx  int
}

// ---- pages ----

// Page filters, orders and pages recs for a collection GET on path (the
// request's path, e.g. "/api/storage/volumes"), trims each record to the
// query's fields (default: keys and _links), and returns the collection
// envelope with _links.self echoing the request and _links.next when
// max_records stopped the page early. Records are ordered by order_by, then
// by key, so pagination with start.<key> is stable.
func Page[T any](q *Query, recs []T, path string) Collection[T] {
	return page(q, recs, path, true, false)
}

// PageBuilt is Page for records built for q by a builder that, when q
// returns the default or common fields and reads no other (no fields=
// beyond *, no filter, no order_by), leaves out every field q does not
// return, as VolumeRecord does: it does not trim such records again.
// It may reorder recs, and return them as the page's records.
func PageBuilt[T any](q *Query, recs []T, path string) Collection[T] {
	return page(q, recs, path, !q.lean(), true)
}

// lean reports whether q returns a collection's default fields or the
// common fields (fields=*), and reads no other field.
func (q *Query) lean() bool {
	return (q.sel == nil || q.sel.mode == selCommon && len(q.sel.children) == 0) && len(q.filters) == 0 && len(q.order) == 0
}

// page is Page; trim says to project the records, reuse that recs may be
// reordered and returned as the page's records.
func page[T any](q *Query, recs []T, path string, trim, reuse bool) Collection[T] {
	matched := Match(q, recs)
	s := q.schema
	keys := make([]sortKey, len(matched))
	var buf []reflect.Value
	keyPath := []*field{s.key}
	for n, i := range matched {
		v := reflect.ValueOf(&recs[i]).Elem()
		sk := sortKey{idx: i}
		if len(q.order) > 0 {
			sk.vals = make([]*operand, len(q.order))
			for j, o := range q.order {
				if o.path == nil {
					var tree Extra
					if s.extra >= 0 {
						tree, _ = v.Field(s.extra).Interface().(Extra)
					}
					var arr [2]any
					for _, x := range collectExtra(tree, o.segs, arr[:0]) {
						if op, ok := extraOperand(x, o.kind); ok {
							sk.vals[j] = &op
							break
						}
					}
					continue
				}
				buf = collect(v, o.path, buf[:0])
				if len(buf) > 0 {
					op := scalarOf(buf[0], o.kind)
					sk.vals[j] = &op
				}
			}
		}
		switch {
		case s.key != nil:
			buf = collect(v, keyPath, buf[:0]) // reused: no allocation per record
			if len(buf) > 0 {
				sk.key = scalarText(buf[0], s.key.kind)
			}
		case len(s.xkey) > 0:
			tree, _ := v.Field(s.extra).Interface().(Extra)
			sk.key = RecordKey(tree, s.xkey)
		}
		keys[n] = sk
	}
	natural := q.NaturalOrder && len(q.order) == 0
	intKey := s.key != nil && s.key.kind == kInt || s.xkeyInt
	if len(q.order) == 0 && !natural && !intKey {
		keys = sortByKey(keys)
	} else {
		sortKeys(keys, q.order, natural, intKey)
	}
	start := 0
	if q.Start != "" {
		start = len(keys)
		for i, k := range keys {
			if k.key == q.Start {
				start = i
				break
			}
		}
		if start == len(keys) && len(q.order) == 0 && !natural {
			// The start record has gone; resume at the next key.
			start, _ = slices.BinarySearchFunc(keys, q.Start, func(k sortKey, t string) int { return compareKeys(k.key, t, intKey) })
		}
	}
	end := len(keys)
	if q.MaxRecords > 0 && q.MaxRecords < end-start {
		end = start + q.MaxRecords
	}
	out := Collection[T]{NumRecords: end - start}
	out.Links.Self = &Href{Href: hrefWith(path, q.raw, "", "")}
	if end < len(keys) && s.KeyName() != "" {
		out.Links.Next = &Href{Href: hrefWith(path, q.raw, "start."+s.KeyName(), keys[end].key)}
	}
	if !q.ReturnRecords {
		return out
	}
	sel := selKeysOnly
	if q.sel != nil {
		sel = q.sel
	}
	if reuse && start == 0 && end == len(recs) && len(keys) == len(recs) {
		// Every record, in key order: sort recs in place rather than
		// copying them into a new slice.
		permute(recs, keys)
		out.Records = recs
		if trim {
			for i := range recs {
				project(reflect.ValueOf(&recs[i]).Elem(), s, sel, true)
			}
		}
		return out
	}
	out.Records = make([]T, 0, end-start)
	for _, k := range keys[start:end] {
		out.Records = append(out.Records, recs[k.idx])
		if trim {
			project(reflect.ValueOf(&out.Records[len(out.Records)-1]).Elem(), s, sel, true)
		}
	}
	return out
}

// permute reorders recs so that recs[j] holds what recs[keys[j].idx]
// held (keys name every record once), following each cycle of the
// permutation with one saved record.
func permute[T any](recs []T, keys []sortKey) {
	done := make([]bool, len(recs))
	for i := range recs {
		if done[i] {
			continue
		}
		saved := recs[i]
		for j := i; ; {
			done[j] = true
			k := keys[j].idx
			if k == i {
				recs[j] = saved
				break
			}
			recs[j] = recs[k]
			j = k
		}
	}
}

// sortKeys orders keys by the order keys, then by record key, then by
// position (natural: by position alone).
func sortKeys(keys []sortKey, order []orderKey, natural, intKey bool) {
	// Keys are unique, so an unstable sort is deterministic.
	slices.SortFunc(keys, func(a, b sortKey) int {
		if natural {
			return cmp.Compare(a.idx, b.idx)
		}
		for j, o := range order {
			x, y := a.vals[j], b.vals[j]
			var c int
			switch {
			case x == nil && y == nil:
			case x == nil:
				c = -1
			case y == nil:
				c = 1
			default:
				c = compareOperand(o.kind, *x, *y)
			}
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		if c := compareKeys(a.key, b.key, intKey); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
}

// sortByKey returns keys ordered by record key, then position, as sortKeys
// does without order keys and with string record keys. It sorts 16-byte
// entries holding no pointers (the key's first 8 bytes as a number, which
// orders as the bytes do) and compares whole keys only on a tie: moving
// the sortKeys themselves costs write barriers while the collector runs.
// A listing is ordered by key rather than served in the backend's order
// because that order changes when a record is deleted (mem moves its last
// record into the hole), and a client paging with start.<key> must neither
// skip nor repeat a record then.
func sortByKey(keys []sortKey) []sortKey {
	type entry struct {
		prefix uint64
		n      int
	}
	es := make([]entry, len(keys))
	for i, k := range keys {
		var p [8]byte
		copy(p[:], k.key)
		es[i] = entry{binary.BigEndian.Uint64(p[:]), i}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		x, y := &keys[a.n], &keys[b.n]
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.idx, y.idx)
	})
	out := make([]sortKey, len(keys))
	for i, e := range es {
		out[i] = keys[e.n]
	}
	return out
}

// Match returns the indexes of the records that pass every filter, in
// order. PATCH and DELETE by query use it to select their targets.
func Match[T any](q *Query, recs []T) []int {
	out := make([]int, 0, len(recs))
	var buf []reflect.Value
	for i := range recs {
		v := reflect.ValueOf(&recs[i]).Elem()
		ok := true
		for j := range q.filters {
			if !q.filters[j].match(v, q.schema.extra, buf) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

func scalarText(v reflect.Value, k kind) string {
	if k == kInt {
		return strconv.FormatInt(v.Int(), 10)
	}
	return v.String()
}

func hrefWith(path string, raw url.Values, key, val string) string {
	if key == "" && len(raw) == 0 {
		return path
	}
	v := make(url.Values, len(raw)+1)
	for k, vs := range raw {
		if key != "" && strings.HasPrefix(k, "start.") {
			continue // the next link carries its own start key
		}
		v[k] = vs
	}
	if key != "" {
		v.Set(key, val)
	}
	if len(v) == 0 {
		return path
	}
	// Encode writes spaces as '+'; ONTAP clients send them as %20, and a
	// literal '+' is always escaped, so every '+' here is a space.
	return path + "?" + strings.ReplaceAll(v.Encode(), "+", "%20")
}

// ParseSize parses an integer with an optional size suffix (B, KB, MB,
// GB, TB, PB, or K, M, G, T, P; any case), multiplying by powers of 1024
// as ONTAP does.
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && (s[i-1] < '0' || s[i-1] > '9') {
		i--
	}
	num, suffix := s[:i], strings.ToUpper(strings.TrimSpace(s[i:]))
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, err
	}
	var shift uint
	switch suffix {
	case "", "B":
	case "K", "KB":
		shift = 10
	case "M", "MB":
		shift = 20
	case "G", "GB":
		shift = 30
	case "T", "TB":
		shift = 40
	case "P", "PB":
		shift = 50
	default:
		return 0, strconv.ErrSyntax
	}
	if shift > 0 && (n > (1<<63-1)>>shift || n < -(1<<63)>>shift) {
		return 0, strconv.ErrRange
	}
	return n << shift, nil
}

// objectByName maps a filter on an object field that has a name
// (volume=vol1, as Ansible's na_ontap_qtree filters qtrees, which real
// ONTAP answers) to its name field (volume.name=vol1), for the generic
// records of the object store; other keys are returned unchanged.
func objectByName(s *Schema, key string) string {
	if !s.Generic() {
		return key
	}
	if path := s.resolve(key); path != nil {
		if path[len(path)-1].kind == kObject && s.resolve(key+".name") != nil {
			return key + ".name"
		}
		return key
	}
	if xf := s.extraField(key); xf != nil && xf.Type == schema.Struct {
		if nf := s.extraField(key + ".name"); nf != nil && nf.Type == schema.String {
			return key + ".name"
		}
	}
	return key
}
