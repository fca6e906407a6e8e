package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateImportExportCheck imports the example fixture into a data
// directory, exports it back (UUIDs kept), and checks good and bad files.
func TestStateImportExportCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := runMain(t, "state", "import", "--data-dir", dir, "../../fixture/example.yaml")
	if code != ExitOK || !strings.Contains(out, "imported 3 volumes") {
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
	if code, out, errs := runMain(t, "state", "check", saved); code != ExitOK || !strings.Contains(out, "ok, 3 volumes, 1 snapshots") {
		t.Fatalf("check of the export: %d %q %q", code, out, errs)
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
