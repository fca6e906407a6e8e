package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

var flagNames = []struct {
	f    Flag
	name string
}{{Get, "Get"}, {Post, "Post"}, {Patch, "Patch"}}

var goTypeNames = map[Type]string{String: "String", Integer: "Integer", Number: "Number", Boolean: "Boolean",
	DateTime: "DateTime", Struct: "Struct", ArrayOfObjects: "ArrayOfObjects", ArrayOfStrings: "ArrayOfStrings",
	ArrayOfIntegers: "ArrayOfIntegers", ArrayOfBooleans: "ArrayOfBooleans", ArrayOfNumbers: "ArrayOfNumbers",
	ArrayOfDateTimes: "ArrayOfDateTimes", Any: "Any"}

// TestGeneratedIsFresh fails when zz_generated.objects.go no longer matches
// its generator (gen.py edited without regenerating) or was edited by hand
// (its tables no longer hash to what the generator wrote).
func TestGeneratedIsFresh(t *testing.T) {
	src, err := os.ReadFile("gen.py")
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != generatorSum {
		t.Errorf("gen.py changed since zz_generated.objects.go was written; run: python ontap/schema/gen.py (see its docstring)")
	}
	var lines []string
	goNames := goObjectNames(t)
	for i, o := range Objects {
		for _, f := range o.Fields {
			var fl []string
			for _, n := range flagNames {
				if f.Flags&n.f != 0 {
					fl = append(fl, n.name)
				}
			}
			lines = append(lines, strings.Join([]string{goNames[i], f.Path, goTypeNames[f.Type], strings.Join(fl, "|"), strings.Join(f.Enum, ",")}, " "))
		}
	}
	if sum := sha256.Sum256([]byte(strings.Join(lines, "\n"))); hex.EncodeToString(sum[:]) != tablesSum {
		t.Errorf("the generated tables were edited by hand; regenerate them with gen.py")
	}
}

// goObjectNames reads the Go variable names of Objects from the generated
// file, in order.
func goObjectNames(t *testing.T) []string {
	src, err := os.ReadFile("zz_generated.objects.go")
	if err != nil {
		t.Fatal(err)
	}
	_, list, ok := strings.Cut(string(src), "var Objects = []*Object{")
	if !ok {
		t.Fatal("no Objects list in zz_generated.objects.go")
	}
	list, _, _ = strings.Cut(list, "}")
	names := strings.Split(list, ", ")
	if len(names) != len(Objects) {
		t.Fatalf("Objects has %d entries, the file names %d", len(Objects), len(names))
	}
	return names
}

func TestTablesAreWellFormed(t *testing.T) {
	for _, o := range Objects {
		if Lookup(o.Name) != o {
			t.Errorf("Lookup(%q) does not find it", o.Name)
		}
		for _, f := range o.Fields {
			if p := f.Parent(); p != "" {
				pf := o.Field(p)
				if pf == nil || !pf.Type.Container() {
					t.Errorf("%s.%s: parent %q is not an object field", o.Name, f.Path, p)
				}
			}
			if f.Flags == 0 {
				t.Errorf("%s.%s allows no operation", o.Name, f.Path)
			}
		}
		seen := map[string]bool{}
		for _, f := range o.Fields {
			if seen[f.Path] {
				t.Errorf("%s: duplicate path %q", o.Name, f.Path)
			}
			seen[f.Path] = true
		}
	}
}

// The fields real clients depend on are present with the right rules.
func TestKnownFields(t *testing.T) {
	for _, c := range []struct {
		obj, path string
		typ       Type
		flags     Flag
	}{
		{"volume", "space.size", Integer, Get | Post | Patch},
		{"volume", "space.logical_space.used", Integer, Get},
		{"volume", "quota.enabled", Boolean, Patch},
		{"volume", "clone.parent_snapshot.name", String, Get | Post | Patch},
		{"volume", "analytics", Struct, Get | Post | Patch},
		{"volume", "uuid", String, Get},
		{"volume", "aggregates", ArrayOfObjects, Get | Post | Patch},
		{"aggregate", "block_storage.primary.disk_count", Integer, Get | Post | Patch},
		{"aggregate", "data_encryption.software_encryption_enabled", Boolean, Get | Post | Patch},
		{"snapshot", "expiry_time", DateTime, Get | Post | Patch},
	} {
		f := Lookup(c.obj).Field(c.path)
		if f == nil {
			t.Errorf("%s has no %s", c.obj, c.path)
			continue
		}
		if f.Type != c.typ || f.Flags != c.flags {
			t.Errorf("%s.%s = %v %b, want %v %b", c.obj, c.path, f.Type, f.Flags, c.typ, c.flags)
		}
	}
	if f := Volume.Field("guarantee.type"); !f.InEnum("NONE") || f.InEnum("thin") {
		t.Errorf("guarantee.type enum = %v", f.Enum)
	}
	if Volume.Field("no_such_field") != nil {
		t.Error("unknown field found")
	}
}
