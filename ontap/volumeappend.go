package ontap

import (
	"reflect"
	"strconv"
	"sync"
	"time"
)

// The volume record is what listings and GETs encode most, so it has its
// own encoder: the same bytes as appendRecord (TestAppendVolumeMatches
// checks it on random records), reading the struct's fields directly
// instead of through reflect.Value. It covers records whose stored
// attributes merge into none of their object fields (every record with
// ONTAP's default attributes: their common view has no member under an
// object field); the others take appendRecord.

// appendVolume appends volume record w, of schema s (SchemaOf[Volume]);
// memo is appendRecord's; refs, if not nil, remembers the encoding of the
// SVM and aggregate references across the records of one listing.
func appendVolume(b []byte, s *Schema, w *Volume, memo extraMemo, refs *volumeRefs) []byte {
	extra := w.Extra
	var plan *extraPlan
	if len(extra) > 0 {
		switch {
		case memo != nil:
			plan = memo.plan(s, extra)
		case reflect.ValueOf(extra).UnsafePointer() == reflect.ValueOf(volumeDefaults.common).UnsafePointer():
			plan = defaultsPlan() // a single record with ONTAP's defaults
		case mergesIntoFields(s, extra):
			return appendRecord(b, reflect.ValueOf(w).Elem(), s, extra, nil)
		}
		if plan != nil && plan.subs != nil {
			return appendRecord(b, reflect.ValueOf(w).Elem(), s, extra, memo)
		}
	}
	b = append(b, '{')
	o := len(b) // nothing appended since the brace: no comma needed
	sep := func(b []byte) []byte {
		if len(b) > o {
			return append(b, ',')
		}
		return b
	}
	if w.UUID != nil {
		b = appendString(append(b, `"uuid":`...), *w.UUID)
	}
	if w.Name != nil {
		b = appendString(append(sep(b), `"name":`...), *w.Name)
	}
	if w.Comment != nil {
		b = appendString(append(sep(b), `"comment":`...), *w.Comment)
	}
	if w.CreateTime != nil {
		b = append(sep(b), `"create_time":"`...)
		b = append(appendTime(b, w.CreateTime.Time), '"')
	}
	if w.Size != nil {
		b = strconv.AppendInt(append(sep(b), `"size":`...), *w.Size, 10)
	}
	if w.State != nil {
		b = appendString(append(sep(b), `"state":`...), *w.State)
	}
	if w.Style != nil {
		b = appendString(append(sep(b), `"style":`...), *w.Style)
	}
	if w.Type != nil {
		b = appendString(append(sep(b), `"type":`...), *w.Type)
	}
	if w.SVM != nil {
		b = append(sep(b), `"svm":`...)
		if refs != nil {
			b = refs.svm.append(b, w.SVM)
		} else {
			b = appendRef(b, w.SVM)
		}
	}
	if len(w.Aggregates) > 0 {
		b = append(sep(b), `"aggregates":[`...)
		for i := range w.Aggregates {
			if i > 0 {
				b = append(b, ',')
			}
			if refs != nil {
				b = refs.aggr.append(b, &w.Aggregates[i])
			} else {
				b = appendRef(b, &w.Aggregates[i])
			}
		}
		b = append(b, ']')
	}
	if n := w.NAS; n != nil {
		b = append(sep(b), `"nas":{`...)
		m := len(b)
		if n.Path != nil {
			b = appendString(append(b, `"path":`...), *n.Path)
		}
		if p := n.ExportPolicy; p != nil {
			if len(b) > m {
				b = append(b, ',')
			}
			b = append(b, `"export_policy":{`...)
			if p.Name != nil {
				b = appendString(append(b, `"name":`...), *p.Name)
			}
			if p.ID != nil {
				if p.Name != nil {
					b = append(b, ',')
				}
				b = strconv.AppendInt(append(b, `"id":`...), *p.ID, 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if sp := w.Space; sp != nil {
		b = append(sep(b), `"space":{`...)
		m := len(b)
		b = appendOptInt(b, m, `"size":`, sp.Size)
		b = appendOptInt(b, m, `"available":`, sp.Available)
		b = appendOptInt(b, m, `"used":`, sp.Used)
		b = appendOptInt(b, m, `"afs_total":`, sp.AFSTotal)
		if l := sp.LogicalSpace; l != nil {
			if len(b) > m {
				b = append(b, ',')
			}
			b = append(b, `"logical_space":{`...)
			n := len(b)
			b = appendOptInt(b, n, `"used":`, l.Used)
			b = append(appendOptInt(b, n, `"available":`, l.Available), '}')
		}
		if sn := sp.Snapshot; sn != nil {
			if len(b) > m {
				b = append(b, ',')
			}
			b = append(b, `"snapshot":{`...)
			b = append(appendOptInt(b, len(b), `"used":`, sn.Used), '}')
		}
		b = append(b, '}')
	}
	if c := w.Clone; c != nil {
		b = append(sep(b), `"clone":{`...)
		m := len(b)
		b = appendOptBool(b, m, `"is_flexclone":`, c.IsFlexclone)
		for _, r := range [...]struct {
			key string
			ref *Ref
		}{{`"parent_volume":`, c.ParentVolume}, {`"parent_snapshot":`, c.ParentSnapshot}, {`"parent_svm":`, c.ParentSVM}} {
			if r.ref != nil {
				if len(b) > m {
					b = append(b, ',')
				}
				b = appendRef(append(b, r.key...), r.ref)
			}
		}
		b = appendOptBool(b, m, `"split_initiated":`, c.SplitInitiated)
		b = append(appendOptInt(b, m, `"split_complete_percent":`, c.SplitCompletePercent), '}')
	}
	if q := w.Quota; q != nil {
		b = append(sep(b), `"quota":{`...)
		b = append(appendOptString(b, len(b), `"state":`, q.State), '}')
	}
	if e := w.Encryption; e != nil {
		b = append(sep(b), `"encryption":{`...)
		m := len(b)
		b = appendOptString(b, m, `"state":`, e.State)
		b = append(appendOptString(b, m, `"type":`, e.Type), '}')
	}
	if r := w.RestoreTo; r != nil {
		b = append(sep(b), `"restore_to":{`...)
		if r.Snapshot != nil {
			b = appendRef(append(b, `"snapshot":`...), r.Snapshot)
		}
		b = append(b, '}')
	}
	if w.Links != nil {
		b = appendLinks(append(sep(b), `"_links":`...), w.Links)
	}
	switch {
	case plan != nil:
		if len(plan.tail) > 0 {
			b = append(sep(b), plan.tail...)
		}
	case len(extra) > 0:
		b = appendExtraTail(b, s, extra, len(b) == o)
	}
	return append(b, '}')
}

// volumeRefs holds the last SVM and aggregate references a listing
// encoded.
type volumeRefs struct{ svm, aggr refMemo }

// refMemo remembers one reference and its encoding. A reference equal to
// it (the same name, UUID and links pointers: a listing's records share
// their VolumeContext's) is the same text, since records are never
// changed once rendered.
type refMemo struct {
	ref  Ref
	json []byte
}

func (m *refMemo) append(b []byte, r *Ref) []byte {
	if m.json != nil && *r == m.ref {
		return append(b, m.json...)
	}
	n := len(b)
	b = appendRef(b, r)
	m.ref, m.json = *r, append(m.json[:0], b[n:]...)
	return b
}

// appendTime appends t in TimeLayout, as t.AppendFormat(b, TimeLayout)
// does, without interpreting the layout (years outside 0–9999 take
// AppendFormat).
func appendTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	_, off := t.Zone()
	off /= 60 // minutes, truncated toward zero as AppendFormat does
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	if year < 0 || year > 9999 || off >= 100*60 {
		return t.AppendFormat(b, TimeLayout)
	}
	hour, min, sec := t.Clock()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append(b, byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T')
	b = append(b, byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':', byte('0'+sec/10), byte('0'+sec%10))
	return append(b, sign, byte('0'+off/600), byte('0'+off/60%10), ':', byte('0'+off%60/10), byte('0'+off%10))
}

// defaultsPlan is the plan of ONTAP's default attributes' common view
// (what a GET of a volume created without attributes merges in), derived
// once: the tree is immutable and lives as long as the process.
var defaultsPlan = sync.OnceValue(func() *extraPlan {
	return extraMemo{}.plan(SchemaOf[Volume](), volumeDefaults.common)
})

// mergesIntoFields reports whether appendRecord would merge a member of
// extra into one of s's object fields.
func mergesIntoFields(s *Schema, extra Extra) bool {
	for _, f := range s.fields {
		if f.kind == kObject {
			if sub, _ := extra[f.name].(Extra); len(sub) > 0 {
				return true
			}
		}
	}
	return false
}

// appendRef appends a Ref as appendRecord does (no merged attributes).
func appendRef(b []byte, r *Ref) []byte {
	b = append(b, '{')
	m := len(b)
	b = appendOptString(b, m, `"name":`, r.Name)
	b = appendOptString(b, m, `"uuid":`, r.UUID)
	if r.Links != nil {
		if len(b) > m {
			b = append(b, ',')
		}
		b = appendLinks(append(b, `"_links":`...), r.Links)
	}
	return append(b, '}')
}

// appendOptString, appendOptInt and appendOptBool append key and *v, after
// a comma unless nothing follows the object's opening brace (at m); a nil
// v appends nothing.
func appendOptString(b []byte, m int, key string, v *string) []byte {
	if v == nil {
		return b
	}
	if len(b) > m {
		b = append(b, ',')
	}
	return appendString(append(b, key...), *v)
}

func appendOptInt(b []byte, m int, key string, v *int64) []byte {
	if v == nil {
		return b
	}
	if len(b) > m {
		b = append(b, ',')
	}
	return strconv.AppendInt(append(b, key...), *v, 10)
}

func appendOptBool(b []byte, m int, key string, v *bool) []byte {
	if v == nil {
		return b
	}
	if len(b) > m {
		b = append(b, ',')
	}
	return strconv.AppendBool(append(b, key...), *v)
}
