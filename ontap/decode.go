package ontap

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// MaxBodyDepth bounds the nesting of a request body.
const MaxBodyDepth = 32

// DecodeOptions tune [Decode].
type DecodeOptions struct {
	// IgnoreUnknownFields drops fields the schema does not have instead of
	// failing with 262197.
	IgnoreUnknownFields bool
	// Nulls, if not nil, receives the paths of known fields the body set
	// to JSON null (which otherwise just leaves them unset).
	Nulls *[]string
	// Op is the operation the body is for (schema.Post or schema.Patch):
	// a field ONTAP's schema does not allow in it fails with 262196.
	// Zero checks only the wire struct's ro tags.
	Op schema.Flag
	// Response reads a record as a client does: read-only fields and
	// values outside an enum are accepted.
	Response bool
}

// Decode decodes a request body into wire struct T the way ONTAP reads
// bodies: nested objects and dotted keys ({"nas.path": "/x"}) both work;
// integers, booleans and sizes may arrive as strings ("true", "1",
// "240MB"); JSON null leaves a field unset. It returns the record and the
// dotted paths of the leaves that were set, sorted.
//
// Failures are *Error values with status 400: malformed JSON or a
// non-object body (code 2), an unknown field (262197, unless
// IgnoreUnknownFields), a read-only field (262196), a value of the wrong
// type (2, naming the field). An empty body decodes to the zero record.
func Decode[T any](body []byte, opts DecodeOptions) (*T, []string, error) {
	rec := new(T)
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return rec, nil, nil
	}
	expanded, err := parseBody(body, opts)
	if err != nil {
		return nil, nil, err
	}
	d := decoder{opts: opts}
	s := SchemaOf[T]()
	rv := reflect.ValueOf(rec).Elem()
	if err := d.object(rv, s, expanded, 0); err != nil {
		return nil, nil, err
	}
	if len(d.extra) > 0 && s.extra >= 0 {
		rv.Field(s.extra).Set(reflect.ValueOf(d.extra))
	}
	slices.Sort(d.paths)
	return rec, d.paths, nil
}

func errMalformed(err error) *Error {
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = se.Error() + " at byte offset " + strconv.FormatInt(se.Offset, 10)
	}
	return Errorf(http.StatusBadRequest, CodeInvalidValue, "body", "The request body is not valid JSON: %s.", text.Truncate(msg, 200))
}

// expand turns dotted keys into nested objects, recursively. A key given
// twice (directly and dotted) is an error.
func expand(obj map[string]any, prefix string, depth int, ignoreUnknown bool) (map[string]any, error) {
	if depth > MaxBodyDepth {
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "body", "The request body nests deeper than %d levels.", MaxBodyDepth)
	}
	out := make(map[string]any, len(obj))
	keys := sortedKeys(obj)
	for _, k := range keys {
		v := obj[k]
		if m, ok := v.(map[string]any); ok {
			sub, err := expand(m, prefix+k+".", depth+1, ignoreUnknown)
			if err != nil {
				return nil, err
			}
			v = sub
		} else if a, ok := v.([]any); ok {
			for i, e := range a {
				if m, ok := e.(map[string]any); ok {
					sub, err := expand(m, prefix+k+".", depth+1, ignoreUnknown)
					if err != nil {
						return nil, err
					}
					a[i] = sub
				}
			}
		}
		segs := strings.Split(k, ".")
		if ignoreUnknown && slices.Contains(segs, "") {
			continue // names no field, so it is an unknown one
		}
		node := out
		for i, seg := range segs {
			if seg == "" {
				return nil, Errorf(http.StatusBadRequest, CodeInvalidField, "body", "The value %q is invalid for field \"body\" (empty path segment)", text.Truncate(prefix+k, 64))
			}
			if i == len(segs)-1 {
				if err := merge(node, seg, v, prefix+k); err != nil {
					return nil, err
				}
				break
			}
			next, exists := node[seg]
			if !exists {
				m := map[string]any{}
				node[seg] = m
				node = m
				continue
			}
			m, ok := next.(map[string]any)
			if !ok {
				return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, prefix+k, "Field %q is given twice.", prefix+strings.Join(segs[:i+1], "."))
			}
			node = m
		}
	}
	return out, nil
}

func merge(node map[string]any, key string, v any, full string) error {
	old, exists := node[key]
	if !exists {
		node[key] = v
		return nil
	}
	om, ok1 := old.(map[string]any)
	nm, ok2 := v.(map[string]any)
	if !ok1 || !ok2 {
		return Errorf(http.StatusBadRequest, CodeInvalidValue, full, "Field %q is given twice.", full)
	}
	for k, x := range nm {
		if err := merge(om, k, x, full+"."+k); err != nil {
			return err
		}
	}
	return nil
}

type decoder struct {
	opts  DecodeOptions
	paths []string
	extra Extra // the fields the wire struct does not model, from the record root
}

// sortedKeys returns m's keys in order, so that decoding and its errors
// do not depend on map order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (d *decoder) object(v reflect.Value, s *Schema, obj map[string]any, depth int) error {
	keys := sortedKeys(obj)
	for _, k := range keys {
		raw := obj[k]
		f := s.byName[k]
		if f == nil {
			if sf := s.extraField(s.prefix + k); sf != nil {
				if raw == nil {
					if d.opts.Nulls != nil {
						*d.opts.Nulls = append(*d.opts.Nulls, sf.Path)
					}
					continue
				}
				v, err := d.decodeExtra(s.obj, sf, raw, depth+1)
				if err != nil {
					return err
				}
				if v != nil && !s.elem {
					// Inside an array of objects there is no place to keep
					// it; such fields are accepted and dropped.
					d.extra = setExtra(d.extra, sf.Path, v)
				}
				continue
			}
			if d.opts.IgnoreUnknownFields {
				continue
			}
			return ErrUnknownField("body", s.prefix+k)
		}
		if raw == nil {
			if d.opts.Nulls != nil {
				*d.opts.Nulls = append(*d.opts.Nulls, f.path)
			}
			continue
		}
		if d.opts.Response {
			// a record, not a request
		} else if emptyObject(raw) {
			// Sets nothing: real clients send every sub-object of their
			// model, empty, whatever the operation ({"svm":{}} on PATCH).
			continue
		} else if f.sf != nil && d.opts.Op != 0 {
			if !f.sf.Can(d.opts.Op) {
				return ErrNotSettable(firstLeaf(f.path, raw))
			}
		} else if f.readOnly {
			return ErrNotSettable(firstLeaf(f.path, raw))
		}
		if err := d.value(v.Field(f.index), f, raw, depth); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) value(fv reflect.Value, f *field, raw any, depth int) error {
	bad := func() error { return ErrInvalidValue(f.path, describe(raw), f.kind.String()) }
	switch f.kind {
	case kString:
		s, ok := raw.(string)
		if !ok {
			return bad()
		}
		if f.sf != nil && !d.opts.Response && !f.sf.InEnum(s) {
			return ErrInvalidValue(f.path, s, strings.Join(f.sf.Enum, "|"))
		}
		if fv.Kind() == reflect.Pointer {
			fv.Set(reflect.ValueOf(&s))
		} else {
			fv.SetString(s)
		}
	case kInt:
		var n int64
		var err error
		switch x := raw.(type) {
		case json.Number:
			n, err = strconv.ParseInt(x.String(), 10, 64)
		case string:
			if f.size {
				n, err = ParseSize(x)
			} else {
				n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			}
		default:
			return bad()
		}
		if err != nil {
			return bad()
		}
		fv.Set(reflect.ValueOf(&n))
	case kBool:
		var b bool
		switch x := raw.(type) {
		case bool:
			b = x
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				b = true
			case "false":
			default:
				return bad()
			}
		default:
			return bad()
		}
		fv.Set(reflect.ValueOf(&b))
	case kTime:
		s, ok := raw.(string)
		if !ok {
			return bad()
		}
		t, err := ParseTime(s)
		if err != nil {
			return bad()
		}
		fv.Set(reflect.ValueOf(&Time{t}))
	case kObject:
		m, ok := raw.(map[string]any)
		if !ok {
			return bad()
		}
		nv := reflect.New(f.elem)
		if err := d.object(nv.Elem(), f.sub, m, depth+1); err != nil {
			return err
		}
		if !nv.Elem().IsZero() {
			fv.Set(nv)
		}
		return nil
	case kObjects:
		var items []any
		switch x := raw.(type) {
		case []any:
			items = x
		case map[string]any: // a dotted key such as "aggregates.name" names one element
			items = []any{x}
		default:
			return bad()
		}
		sl := reflect.MakeSlice(fv.Type(), len(items), len(items))
		for i, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return ErrInvalidValue(f.path, describe(it), "<object>")
			}
			if err := d.object(sl.Index(i), f.sub, m, depth+1); err != nil {
				return err
			}
		}
		fv.Set(sl)
	case kStrings:
		items, ok := raw.([]any)
		if !ok {
			return bad()
		}
		out := make([]string, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				return ErrInvalidValue(f.path, describe(it), "<string>")
			}
			out[i] = s
		}
		fv.Set(reflect.ValueOf(out))
	}
	d.paths = append(d.paths, f.path)
	return nil
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		return "{...}"
	case []any:
		return "[...]"
	}
	return "null"
}

// firstLeaf names the first field a body sets at or under path (in key
// order), so an error about a field that cannot be set names what the
// client wrote ("svm.name", not "svm").
func firstLeaf(path string, raw any) string {
	for {
		m, ok := raw.(map[string]any)
		if !ok || len(m) == 0 {
			return path
		}
		keys := sortedKeys(m)
		path, raw = path+"."+keys[0], m[keys[0]]
	}
}

// emptyObject reports whether raw is a JSON object that sets no field
// (only empty objects inside, at any depth).
func emptyObject(raw any) bool {
	m, ok := raw.(map[string]any)
	if !ok {
		return false
	}
	for _, v := range m {
		if !emptyObject(v) {
			return false
		}
	}
	return true
}

// parseBody reads a non-empty request body as exactly one JSON object
// (numbers kept exact) and expands its dotted keys, for Decode and
// DecodeObject alike.
func parseBody(body []byte, opts DecodeOptions) (map[string]any, error) {
	if !utf8.Valid(body) {
		// encoding/json would quietly turn bad bytes into U+FFFD and store
		// a name or comment the client never sent.
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "body", "The request body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, errMalformed(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "body", "The request body must hold exactly one JSON object; found data after it.")
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "body", "The request body must be a JSON object.")
	}
	return expand(obj, "", 0, opts.IgnoreUnknownFields)
}
