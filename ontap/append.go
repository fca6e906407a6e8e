package ontap

import (
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
)

// JSONAppender is implemented by the response bodies that encode
// themselves without encoding/json (which would re-validate every
// record's MarshalJSON output): records, collections and job responses.
// The output is the same JSON.
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

var appendSchemas sync.Map // reflect.Type -> *Schema (nil: not a schema struct)

// appendSchemaOf returns T's schema, or nil if T is not a wire struct the
// schema encoder handles.
func appendSchemaOf[T any]() (s *Schema) {
	t := reflect.TypeFor[T]()
	if v, ok := appendSchemas.Load(t); ok {
		s, _ = v.(*Schema)
		return s
	}
	defer func() {
		if recover() != nil {
			s = nil
		}
		appendSchemas.Store(t, s)
	}()
	if t.Kind() != reflect.Struct {
		return nil
	}
	return SchemaOf[T]()
}

// appendItem appends one value of type T; memo is appendRecord's.
func appendItem[T any](b []byte, s *Schema, v *T, memo extraMemo) []byte {
	if w, ok := any(v).(*Volume); ok && s != nil {
		return appendVolume(b, s, w, memo, nil)
	}
	if s != nil {
		rv := reflect.ValueOf(v).Elem()
		var tree Extra
		if s.extra >= 0 {
			tree, _ = rv.Field(s.extra).Interface().(Extra)
		}
		return appendRecord(b, rv, s, tree, memo)
	}
	if a, ok := any(*v).(JSONAppender); ok {
		return a.AppendJSON(b)
	}
	j, err := json.Marshal(*v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

func appendLinks(b []byte, l *Links) []byte {
	b = append(b, '{')
	if l.Self != nil {
		b = append(b, `"self":{"href":`...)
		b = appendString(b, l.Self.Href)
		b = append(b, '}')
	}
	if l.Next != nil {
		if l.Self != nil {
			b = append(b, ',')
		}
		b = append(b, `"next":{"href":`...)
		b = appendString(b, l.Next.Href)
		b = append(b, '}')
	}
	return append(b, '}')
}

// AppendJSON encodes the collection as encoding/json would.
func (c Collection[T]) AppendJSON(b []byte) []byte {
	s := appendSchemaOf[T]()
	var memo extraMemo
	if s != nil && len(c.Records) > 1 {
		memo = extraMemo{}
	}
	b = append(b, '{')
	if c.Records != nil {
		b = append(b, `"records":[`...)
		// A listing's volumes share their SVM and aggregate references.
		vols, _ := any(c.Records).([]Volume)
		var refs *volumeRefs
		if vols != nil && s != nil && memo != nil {
			refs = new(volumeRefs)
		}
		for i := range c.Records {
			if i > 0 {
				b = append(b, ',')
			}
			if refs != nil {
				b = appendVolume(b, s, &vols[i], memo, refs)
			} else {
				b = appendItem(b, s, &c.Records[i], memo)
			}
		}
		b = append(b, "],"...)
	}
	b = append(b, `"num_records":`...)
	b = strconv.AppendInt(b, int64(c.NumRecords), 10)
	b = append(b, `,"_links":`...)
	b = appendLinks(b, &c.Links)
	return append(b, '}')
}

func appendJobLink(b []byte, j *JobLink) []byte {
	b = append(b, `{"uuid":`...)
	b = appendString(b, j.UUID)
	b = append(b, `,"_links":`...)
	b = appendLinks(b, &j.Links)
	return append(b, '}')
}

// AppendJSON encodes the job response as encoding/json would.
func (r JobResponse[T]) AppendJSON(b []byte) []byte {
	s := appendSchemaOf[T]()
	b = append(b, '{')
	sep := func() {
		if len(b) > 0 && b[len(b)-1] != '{' {
			b = append(b, ',')
		}
	}
	if r.NumRecords != nil {
		b = append(b, `"num_records":`...)
		b = strconv.AppendInt(b, int64(*r.NumRecords), 10)
	}
	if r.Records != nil {
		sep()
		b = append(b, `"records":[`...)
		for i := range r.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendItem(b, s, &r.Records[i], nil)
		}
		b = append(b, ']')
	}
	if r.Job != nil {
		sep()
		b = append(b, `"job":`...)
		b = appendJobLink(b, r.Job)
	}
	if r.Jobs != nil {
		sep()
		b = append(b, `"jobs":[`...)
		for i := range r.Jobs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJobLink(b, &r.Jobs[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}
