package ontap

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/nessie-go/nessie/ontap/schema"
)

// level says when a field is returned.
type level uint8

const (
	levelCommon    level = iota // single GET and fields=*
	levelKey                    // always (record root only)
	levelExpensive              // only when named, or fields=**
)

// kind is the shape of a field's value.
type kind uint8

const (
	kString  kind = iota + 1 // *string or string
	kInt                     // *int64
	kBool                    // *bool
	kTime                    // *Time
	kObject                  // *struct
	kObjects                 // []struct
	kStrings                 // []string
)

func (k kind) String() string {
	switch k {
	case kString:
		return "<string>"
	case kInt:
		return "<integer>"
	case kBool:
		return "<boolean>"
	case kTime:
		return "<date-time>"
	case kObject:
		return "<object>"
	case kObjects:
		return "<array of objects>"
	case kStrings:
		return "<array of strings>"
	}
	return "<unknown>"
}

func (k kind) scalar() bool { return k == kString || k == kInt || k == kBool || k == kTime }

// field is one JSON field of a wire struct.
type field struct {
	name     string // JSON name
	path     string // dotted path from the record root
	index    int    // Go struct field index
	pos      int    // position in Schema.fields
	level    level
	readOnly bool
	size     bool // integer accepting size suffixes
	ext      bool // deliberately outside ONTAP's schema (a nessie extension)
	// omitEmpty mirrors the json tag's omitempty.
	omitEmpty bool
	// jsonKey is the field's encoded key with its colon ("name":).
	jsonKey []byte
	kind    kind
	sub     *Schema // kObject and kObjects
	elem    reflect.Type
	// sf is the generated ONTAP field this one is bound to (nil when the
	// struct is not bound to an object, or for an ext field).
	sf *schema.Field
}

// Schema describes a wire struct for the query engine and the body
// decoder. It is derived once from the struct's json and ontap tags.
type Schema struct {
	typ    reflect.Type
	obj    *schema.Object // the generated ONTAP object, or nil
	prefix string         // the dotted path of this (sub)schema, with a trailing dot
	elem   bool           // the element of an array of objects
	extra  int            // index of the Extra field, or -1
	// commonExtra lists the Extra fields returned by default (nil: all).
	commonExtra map[string]bool
	fields      []*field
	byName      map[string]*field
	key         *field // the root key used for ordering and pagination
	// xkey, for a schema of generic records (ObjectSchema), is the dotted
	// paths of the identity fields in the record's tree, outermost
	// scope first (a qtree: volume.uuid then id); xkeyInt says the last
	// is an integer, ordered numerically.
	xkey    []string
	xkeyInt bool
	// always lists the top-level tree fields every record returns
	// (the keys of a generic record).
	always []string
	// cheap: no expensive field anywhere below, so projecting with the
	// common selection changes nothing.
	cheap bool
	// defaultNeeds[k] is Query.Needs for a query of kind k with no fields,
	// filters or order_by, by field position.
	defaultNeeds [QueryMutationByQuery + 1][]bool
}

var (
	timeType    = reflect.TypeFor[Time]()
	schemaCache sync.Map // reflect.Type -> *Schema
)

// SchemaOf returns the schema of wire struct T. It panics if T is not a
// struct built from the supported field types (a programming error caught
// by the package's tests).
func SchemaOf[T any]() *Schema { return schemaFor(reflect.TypeFor[T](), "", nil, false) }

var extraType = reflect.TypeFor[Extra]()

func schemaFor(t reflect.Type, prefix string, obj *schema.Object, elem bool) *Schema {
	if prefix == "" {
		if s, ok := schemaCache.Load(t); ok {
			return s.(*Schema)
		}
	}
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("ontap: schema of non-struct %v", t))
	}
	if prefix == "" {
		obj = bindings[t]
	}
	s := &Schema{typ: t, obj: obj, prefix: prefix, elem: elem, extra: -1, byName: map[string]*field{}}
	if prefix == "" {
		s.commonExtra = commonExtras[t]
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Type == extraType && prefix == "" {
			s.extra = i
			continue
		}
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		f := &field{name: name, path: prefix + name, index: i, omitEmpty: strings.Contains(opts, "omitempty")}
		f.jsonKey = append(appendString(nil, name), ':')
		for _, flag := range strings.Split(sf.Tag.Get("ontap"), ",") {
			switch flag {
			case "key":
				f.level = levelKey
			case "expensive":
				f.level = levelExpensive
			case "ro":
				f.readOnly = true
			case "size":
				f.size = true
			case "ext":
				f.ext = true
			case "":
			default:
				panic(fmt.Sprintf("ontap: unknown ontap tag flag %q on %v.%s", flag, t, sf.Name))
			}
		}
		ft := sf.Type
		switch {
		case ft.Kind() == reflect.String:
			f.kind = kString
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.String:
			f.kind = kString
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Int64:
			f.kind = kInt
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
			f.kind = kBool
		case ft.Kind() == reflect.Pointer && ft.Elem() == timeType:
			f.kind = kTime
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			f.kind = kObject
			f.elem = ft.Elem()
			f.sub = schemaFor(ft.Elem(), f.path+".", obj, elem)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			f.kind = kObjects
			f.elem = ft.Elem()
			f.sub = schemaFor(ft.Elem(), f.path+".", obj, true)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			f.kind = kStrings
		default:
			panic(fmt.Sprintf("ontap: unsupported field type %v on %v.%s", ft, t, sf.Name))
		}
		if obj != nil && !f.ext {
			f.sf = obj.Field(f.path)
		}
		f.pos = len(s.fields)
		s.fields = append(s.fields, f)
		s.byName[name] = f
	}
	s.cheap = true
	for _, f := range s.fields {
		if f.level == levelExpensive || f.sub != nil && !f.sub.cheap {
			s.cheap = false
		}
	}
	for k := range s.defaultNeeds {
		sel := selCommonAll
		if QueryKind(k) == QueryCollection || QueryKind(k) == QueryMutationByQuery {
			sel = selKeysOnly
		}
		s.defaultNeeds[k] = needsFor(s, sel)
	}
	for _, n := range []string{"uuid", "id", "name"} {
		if f := s.byName[n]; f != nil && f.level == levelKey && f.kind.scalar() {
			s.key = f
			break
		}
	}
	if prefix == "" {
		actual, _ := schemaCache.LoadOrStore(t, s)
		return actual.(*Schema)
	}
	return s
}

// resolve walks a dotted path. It returns the fields along it, or nil if a
// segment is unknown or the path continues past a scalar.
func (s *Schema) resolve(path string) []*field {
	var out []*field
	cur := s
	for seg := range strings.SplitSeq(path, ".") {
		if cur == nil {
			return nil
		}
		f := cur.byName[seg]
		if f == nil {
			return nil
		}
		out = append(out, f)
		cur = f.sub
	}
	return out
}

// Paths lists every field path of the schema (objects and leaves), in
// struct order; the OpenAPI generator and tests use it.
func (s *Schema) Paths() []string {
	var out []string
	var walk func(*Schema)
	walk = func(s *Schema) {
		for _, f := range s.fields {
			out = append(out, f.path)
			if f.sub != nil {
				walk(f.sub)
			}
		}
	}
	walk(s)
	return out
}

// KeyName is the name of the record key ("uuid", "id" or "name") that
// orders records and names them in start.<key>, or "" if there is none.
func (s *Schema) KeyName() string {
	if s.key == nil {
		if len(s.xkey) > 0 {
			return s.xkey[len(s.xkey)-1]
		}
		return ""
	}
	return s.key.name
}

// Type returns the Go type the schema describes.
func (s *Schema) Type() reflect.Type { return s.typ }

// FieldInfo describes one field for documentation (the OpenAPI document).
type FieldInfo struct {
	Name      string
	Type      string // "string", "integer", "boolean", "date-time", "object", "array"
	Items     string // for arrays: "string" or "object"
	Sub       *Schema
	ReadOnly  bool
	Expensive bool
	Size      bool
}

// Fields describes the schema's direct fields, in struct order.
func (s *Schema) Fields() []FieldInfo {
	out := make([]FieldInfo, 0, len(s.fields))
	for _, f := range s.fields {
		fi := FieldInfo{Name: f.name, Sub: f.sub, ReadOnly: f.readOnly, Expensive: f.level == levelExpensive, Size: f.size}
		switch f.kind {
		case kString:
			fi.Type = "string"
		case kInt:
			fi.Type = "integer"
		case kBool:
			fi.Type = "boolean"
		case kTime:
			fi.Type = "date-time"
		case kObject:
			fi.Type = "object"
		case kObjects:
			fi.Type, fi.Items = "array", "object"
		case kStrings:
			fi.Type, fi.Items = "array", "string"
		}
		out = append(out, fi)
	}
	return out
}
