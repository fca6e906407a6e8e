package abi

import (
	"strings"
	"testing"
)

// A backend's state exported as a fixture loads into another session of
// either mode with its UUIDs, snapshots and clone origins; loading is a
// whole replacement.
func TestExportAndLoadState(t *testing.T) {
	for _, strict := range []bool{false, true} {
		src := NewSession(strict)
		v := mustCall(t, src, OpCreateVolume, str("data"), num(1<<30))
		sn := mustCall(t, src, OpCreateSnapshot, str(v["uuid"].(string)), str("daily"))
		c := mustCall(t, src, OpCreateClone, str(v["uuid"].(string)), str(sn["uuid"].(string)), str("copy"))
		doc, err := call(t, src, OpExportState)
		if err != "" {
			t.Fatalf("strict=%v: export: %s", strict, err)
		}
		text := doc.(string)
		if !strings.HasPrefix(text, "# nessie state") || !strings.Contains(text, "nessie: fixture/v1") {
			t.Fatalf("strict=%v: export is not a fixture:\n%s", strict, text)
		}
		dst := NewSession(strict)
		mustCall(t, dst, OpCreateVolume, str("leftover"), none)
		if _, err := call(t, dst, OpLoadState, str(text), str("saved.yaml")); err != "" {
			t.Fatalf("strict=%v: load: %s", strict, err)
		}
		list, _ := call(t, dst, OpListVolumes)
		if n := len(list.([]any)); n != 2 {
			t.Fatalf("strict=%v: %d volumes after load, want 2", strict, n)
		}
		got := mustCall(t, dst, OpGetVolume, str(c["uuid"].(string)))
		if got["name"] != "copy" || got["clone"].(map[string]any)["parent_snapshot"] != "daily" {
			t.Fatalf("strict=%v: loaded clone %v", strict, got)
		}
		again, _ := call(t, dst, OpExportState)
		if again.(string) != text {
			t.Fatalf("strict=%v: export after load differs:\n%s\nwant\n%s", strict, again, text)
		}
		if _, err := call(t, dst, OpCheckInvariants); err != "" {
			t.Fatal(err)
		}
	}
}

// A bad document is refused with its file, line and field, and changes
// nothing; a default-mode name the format cannot carry is refused on
// export.
func TestLoadStateErrors(t *testing.T) {
	s := NewSession(false)
	mustCall(t, s, OpCreateVolume, str("kept"), none)
	_, err := call(t, s, OpLoadState, str("nessie: fixture/v1\nvolumes:\n  - name: a\n    state: melted\n"), str("bad.yaml"))
	if !strings.HasPrefix(err, "invalid_argument: ") || !strings.Contains(err, "bad.yaml:4") || !strings.Contains(err, "state") {
		t.Fatalf("bad fixture: %q", err)
	}
	if list, _ := call(t, s, OpListVolumes); len(list.([]any)) != 1 {
		t.Fatal("a refused load changed the state")
	}
	mustCall(t, s, OpCreateVolume, str("a/b"), none)
	if _, err := call(t, s, OpExportState); !strings.HasPrefix(err, "invalid_argument: ") || !strings.Contains(err, "a/b") {
		t.Fatalf("export of an unsavable name: %q", err)
	}
}

// A fixture's origin and objects section (which a MemBackend does not
// use) are written back by the next export, as loaded; a failed load
// keeps the ones kept before.
func TestLoadStateKeepsObjects(t *testing.T) {
	doc := "nessie: fixture/v1\norigin:\n  svm: {name: svm0, uuid: f7dedf75-3a62-4fed-a2b4-30bae60f169a}\n" +
		"volumes:\n  - name: v1\nobjects:\n  storage/qtrees:\n    - id: 1\n      name: q1\n      volume: {name: v1}\n      unix_permissions: 750\n  svm/svms: []\n"
	s := NewSession(true)
	if _, err := call(t, s, OpLoadState, str(doc), str("f.yaml")); err != "" {
		t.Fatal(err)
	}
	out, _ := call(t, s, OpExportState)
	text := out.(string)
	for _, want := range []string{"f7dedf75-3a62-4fed-a2b4-30bae60f169a", "storage/qtrees:", "name: q1", "unix_permissions: 750", "svm/svms: []"} {
		if !strings.Contains(text, want) {
			t.Fatalf("export lacks %q:\n%s", want, text)
		}
	}
	if _, err := call(t, s, OpLoadState, str("nessie: fixture/v1\nobjects:\n  storage/qtrees: 3\n"), str("bad.yaml")); err == "" {
		t.Fatal("a bad objects section loaded")
	}
	if again, _ := call(t, s, OpExportState); again.(string) != text {
		t.Fatalf("a failed load changed what is kept:\n%s", again)
	}
	if _, err := call(t, s, OpLoadState, str("nessie: fixture/v1\nvolumes: []\n"), str("plain.yaml")); err != "" {
		t.Fatal(err)
	}
	if plain, _ := call(t, s, OpExportState); strings.Contains(plain.(string), "objects") || strings.Contains(plain.(string), "origin") {
		t.Fatalf("a fixture without objects kept the earlier ones:\n%s", plain)
	}
}
