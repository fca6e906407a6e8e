package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)

// TestStateImportExportCheck imports the example fixture into a data
// directory, exports it back (UUIDs kept), and checks good and bad files.
func TestStateImportExportCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := runMain(t, "state", "import", "--data-dir", dir, "../../fixture/example.yaml")
	if code != ExitOK || !strings.Contains(out, "imported 4 volumes and 6 objects") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, out, errs = runMain(t, "state", "export", "--data-dir", dir)
	if code != ExitOK || !strings.Contains(out, "6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6") || !strings.Contains(out, "build_cache_pr1234") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	saved := filepath.Join(t.TempDir(), "saved.yaml")
	if err := os.WriteFile(saved, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runMain(t, "state", "check", saved); code != ExitOK || !strings.Contains(out, "ok, 4 volumes, 1 snapshots") {
		t.Fatalf("check of the export: %d %q %q", code, out, errs)
	}
	// The export carries the objects, with this data directory's
	// built-in UUIDs as its origin.
	for _, want := range []string{"builders", "team_a", "/vol/block/lun0", "ci_hosts", "logical_unit_number: 0", "origin:", "cluster/schedules:"} {
		if !strings.Contains(out, want) {
			t.Fatalf("export lacks %q:\n%s", want, out)
		}
	}
	// Imported into another data directory (another identity) and
	// exported, it is the same but for the built-in UUIDs.
	other := filepath.Join(t.TempDir(), "other")
	if code, o, errs := runMain(t, "state", "import", "--data-dir", other, saved); code != ExitOK {
		t.Fatalf("import of the export: %d %q %q", code, o, errs)
	}
	_, again, _ := runMain(t, "state", "export", "--data-dir", other)
	if uuidRE.ReplaceAllString(again, "U") != uuidRE.ReplaceAllString(out, "U") || again == out {
		t.Fatalf("export, import elsewhere, export:\n%s\n---\n%s", out, again)
	}
	badObj := filepath.Join(t.TempDir(), "badobj.yaml")
	if err := os.WriteFile(badObj, []byte("nessie: fixture/v1\nobjects:\n  storage/qtrees:\n    - id: 1\n      name: q\n      volume: {name: nope}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runMain(t, "state", "import", "--data-dir", dir, badObj); code != ExitUsage || !strings.Contains(errs, "badobj.yaml:6: objects.storage/qtrees[0].volume.name") {
		t.Fatalf("import of a bad objects section: %d %q", code, errs)
	}
	if _, o, _ := runMain(t, "state", "export", "--data-dir", dir); o != out {
		t.Fatal("a refused import changed the store")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("nessie: fixture/v1\nvolumes:\n  - name: a\n  - name: a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runMain(t, "state", "check", bad); code != ExitUsage || !strings.Contains(errs, "bad.yaml:4: volumes[1].name") {
		t.Fatalf("check of a bad file: %d %q", code, errs)
	}
	if code, _, errs := runMain(t, "state", "export", "--data-dir", filepath.Join(t.TempDir(), "none")); code != ExitFailure || !strings.Contains(errs, "no durable store") {
		t.Fatalf("export without a store: %d %q", code, errs)
	}
}
