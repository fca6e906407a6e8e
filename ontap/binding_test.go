package ontap

import (
	"reflect"
	"testing"

	"github.com/nessie-go/nessie/ontap/schema"
)

var kindTypes = map[kind]schema.Type{
	kString: schema.String, kInt: schema.Integer, kBool: schema.Boolean, kTime: schema.DateTime,
	kObject: schema.Struct, kObjects: schema.ArrayOfObjects, kStrings: schema.ArrayOfStrings,
}

// TestWireStructsAgreeWithSchema fails when a hand-written wire struct has
// a field ONTAP 9.16.1's object lacks (unless tagged ext, a deliberate
// extension) or gives a field another type than ONTAP's.
func TestWireStructsAgreeWithSchema(t *testing.T) {
	if len(bindings) == 0 {
		t.Fatal("no bound wire structs")
	}
	for typ, obj := range bindings {
		s := schemaFor(typ, "", nil, false)
		if s.obj != obj {
			t.Fatalf("%v is not bound to %s", typ, obj.Name)
		}
		if s.extra < 0 {
			t.Errorf("%v has no Extra field to keep the fields it does not model", typ)
		}
		var walk func(*Schema)
		walk = func(s *Schema) {
			for _, f := range s.fields {
				if f.ext {
					if obj.Field(f.path) != nil {
						t.Errorf("%v: %s is tagged ext but ONTAP has it; drop the tag", typ, f.path)
					}
					continue
				}
				sf := obj.Field(f.path)
				switch {
				case sf == nil:
					t.Errorf("%v: ONTAP's %s object has no field %s", typ, obj.Name, f.path)
					continue
				case sf.Type != kindTypes[f.kind]:
					t.Errorf("%v: %s is %s in ONTAP, %v here", typ, f.path, sf.Type, kindTypes[f.kind])
				}
				if f.sub != nil {
					walk(f.sub)
				}
			}
		}
		walk(s)
	}
}

// The test above must be able to fail: a struct with a field ONTAP lacks
// and one with a wrong type.
func TestWireStructCheckDetectsDisagreement(t *testing.T) {
	type badVolume struct {
		UUID  *string `json:"uuid,omitempty"`
		Bogus *string `json:"bogus,omitempty"`
		Size  *bool   `json:"size,omitempty"`
		Extra Extra   `json:"-"`
	}
	s := schemaFor(reflect.TypeFor[badVolume](), "", schema.Volume, false)
	s.obj = schema.Volume
	var missing, wrong int
	for _, f := range s.fields {
		sf := schema.Volume.Field(f.path)
		if sf == nil {
			missing++
		} else if sf.Type != kindTypes[f.kind] {
			wrong++
		}
	}
	if missing != 1 || wrong != 1 {
		t.Errorf("missing=%d wrong=%d, want 1 and 1", missing, wrong)
	}
}
