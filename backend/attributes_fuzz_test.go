package backend_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// FuzzMergeAttributes holds MergeAttributes to a plain RFC 7386
// implementation over decoded values: same refusals, same merged object.
func FuzzMergeAttributes(f *testing.F) {
	for _, seed := range [][2]string{
		{``, `{"a":1}`},
		{`{"a":{"b":1,"c":[1]}}`, `{"a":{"b":null,"d":{"e":null}}}`},
		{`{"a":1,"a":2}`, `{"a":null}`},
		{`{"x":1}`, `{"a":{"y":1},"a":{"z":2}}`},
		{`{"\u0061":1}`, `{"a":2}`},
		{`{"s":"},{"}`, `[]`},
		{`null`, `{}`},
		{` { } `, ` {"k" : "v"} `},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, stored, patch string) {
		got, err := backend.MergeAttributes(json.RawMessage(stored), json.RawMessage(patch))
		s, sok := decodeObject(stored)
		p, pok := decodeObject(patch)
		if !sok || !pok {
			if err == nil {
				t.Fatalf("MergeAttributes(%q, %q) = %s, want an error", stored, patch, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("MergeAttributes(%q, %q): %v", stored, patch, err)
		}
		want := mergePatch(s, p).(map[string]any)
		if len(want) == 0 {
			if got != nil {
				t.Fatalf("MergeAttributes(%q, %q) = %s, want nil", stored, patch, got)
			}
			return
		}
		var gotV map[string]any
		d := json.NewDecoder(bytes.NewReader(got))
		d.UseNumber()
		if err := d.Decode(&gotV); err != nil || !json.Valid(got) {
			t.Fatalf("MergeAttributes(%q, %q) = %q, not a JSON object: %v", stored, patch, got, err)
		}
		if !reflect.DeepEqual(gotV, want) {
			t.Fatalf("MergeAttributes(%q, %q) = %s, want %v", stored, patch, got, want)
		}
		var c bytes.Buffer
		if json.Compact(&c, got); !bytes.Equal(c.Bytes(), got) {
			t.Fatalf("MergeAttributes(%q, %q) = %q, not compact", stored, patch, got)
		}
	})
}

// decodeObject reads s as attributes: "" is the empty object; anything
// but a JSON object is refused.
func decodeObject(s string) (map[string]any, bool) {
	if s == "" {
		return map[string]any{}, true
	}
	if !json.Valid([]byte(s)) {
		return nil, false
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// mergePatch is RFC 7386's MergePatch, on decoded values.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t := map[string]any{}
	if old, ok := target.(map[string]any); ok {
		for k, v := range old {
			t[k] = v
		}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}
