package hostile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/ontap/schema"
	"github.com/nessie-go/nessie/reliability/harness"
	"github.com/nessie-go/nessie/server"
)

// TestHostileObjectBodies sends, for every kind of the object store with a
// top-level collection (export policies, qtrees, quota rules, services,
// shares, policies, schedules, and whatever kind is added next) and for a
// snapshot policy's schedules, a POST
// with a value of the wrong type in each field ONTAP lets a create set,
// and a field outside the schema. Each must be refused with a 4xx
// envelope, and the daemon must keep serving.
func TestHostileObjectBodies(t *testing.T) {
	f := newFixture(t)
	for _, k := range server.Kinds() {
		if strings.Contains(k.Path, "{") {
			continue // nested under a parent path; the same handlers
		}
		f.run(t, "types/POST_"+k.Object.Name, f.typeCases(k.Object, k.Path))
	}
	// A snapshot policy's schedules: a view of the policy, with handlers
	// of its own.
	sp := f.create(t, "/api/storage/snapshot-policies", `{"name":"hostile_sp","svm":{"name":"svm0"},"copies":[{"count":1,"schedule":{"name":"hourly"}}]}`)
	f.run(t, "types/POST_"+schema.SnapshotPolicySchedule.Name, f.typeCases(schema.SnapshotPolicySchedule, "/api/storage/snapshot-policies/"+sp+"/schedules"))
}

// typeCases are POSTs to path with a value of the wrong type in each
// field obj lets a create set, and one with a field outside the schema.
func (f *fixture) typeCases(obj *schema.Object, path string) []hcase {
	var cases []hcase
	for i := range obj.Fields {
		fl := &obj.Fields[i]
		if !fl.Can(schema.Post) || fl.Type.Container() && fl.Type != schema.ArrayOfObjects {
			continue
		}
		for vname, v := range wrongValues(typeName(fl.Type)) {
			if fl.Type == schema.Number && vname == "fraction" || (fl.Type == schema.ArrayOfIntegers || fl.Type == schema.ArrayOfNumbers) && vname == "numbers" {
				continue // the right type after all
			}
			body := map[string]any{fl.Path: v}
			cases = append(cases, hcase{name: fl.Path + "=" + vname, raw: f.raw("POST", path+"?return_timeout=30", mustJSON(body)),
				check: refusedFor(fl.Path)})
		}
	}
	return append(cases, hcase{name: "unknown_field", raw: f.raw("POST", path+"?return_timeout=30", []byte(`{"no_such_field":1}`))})
}

// refusedFor requires a 4xx envelope that names the field (the type
// check, not a later rule such as a missing name, refused the body).
func refusedFor(path string) func(*harness.Response) error {
	return func(r *harness.Response) error {
		e, err := harness.Envelope(r)
		if err != nil {
			return err
		}
		if e.Target != path && !strings.HasPrefix(e.Target, path+".") {
			return fmt.Errorf("refused for %q, not for the wrongly typed %q (body %.200q)", e.Target, path, r.Body)
		}
		return nil
	}
}

// typeName maps a generated field type to the names wrongValues knows.
func typeName(t schema.Type) (string, string) {
	switch t {
	case schema.String:
		return "string", ""
	case schema.Integer, schema.Number:
		return "integer", ""
	case schema.Boolean:
		return "boolean", ""
	case schema.DateTime:
		return "date-time", ""
	case schema.ArrayOfObjects:
		return "array", "object"
	case schema.ArrayOfStrings:
		return "array", "string"
	}
	return "array", "integer"
}
