package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend/durable"
)

// do sends an authenticated request with a JSON body to a plain-HTTP
// daemon and returns the status and body.
func do(t *testing.T, d *daemonRun, cfg Config, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, d.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(cfg.Username, cfg.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func volumeNames(t *testing.T, d *daemonRun, cfg Config) []string {
	t.Helper()
	code, body := do(t, d, cfg, "GET", "/api/storage/volumes?order_by=name", "")
	if code != 200 {
		t.Fatalf("listing volumes: %d %s", code, body)
	}
	var l struct{ Records []struct{ Name string } }
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range l.Records {
		names = append(names, r.Name)
	}
	return names
}

func durableConfig(t *testing.T) Config {
	cfg := testConfig(t)
	cfg.HTTP = true
	cfg.Store = StoreDurable
	return cfg
}

func TestDurableStoreSurvivesRestart(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	code, body := do(t, d, cfg, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"keep","size":104857600,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct{ Job struct{ UUID string } }
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Job.UUID == "" {
		t.Fatalf("create answer %s: %v", body, err)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	if got := volumeNames(t, d, cfg); len(got) != 1 || got[0] != "keep" {
		t.Fatalf("after restart: %v, want [keep]", got)
	}
	// The finished job is still answered for.
	if code, body := do(t, d, cfg, "GET", "/api/cluster/jobs/"+created.Job.UUID, ""); code != 200 || !strings.Contains(body, `"success"`) {
		t.Fatalf("job after restart: %d %s", code, body)
	}
}

func TestMemoryStoreStartsEmpty(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTP = true
	d := start(t, cfg, nil)
	if code, body := do(t, d, cfg, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"gone","size":104857600,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	if got := volumeNames(t, d, cfg); len(got) != 0 {
		t.Fatalf("memory store after restart: %v, want nothing", got)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, StoreFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("memory store wrote %s: %v", StoreFile, err)
	}
}

func TestSecondDaemonOnOneDataDirIsRefused(t *testing.T) {
	cfg := durableConfig(t)
	start(t, cfg, nil)
	err := Run(context.Background(), cfg, nil)
	if !errors.Is(err, durable.ErrLocked) || !strings.Contains(err.Error(), cfg.DataDir) {
		t.Fatalf("second daemon: %v, want ErrLocked naming the data dir", err)
	}
}

func TestCorruptStoreIsRefused(t *testing.T) {
	cfg := durableConfig(t)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg.DataDir, StoreFile)
	if err := os.WriteFile(path, []byte(strings.Repeat("torn ", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), cfg, nil)
	if !errors.Is(err, durable.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Run on a corrupt store: %v, want ErrCorrupt naming %s", err, path)
	}
	// Nothing was written over it.
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "torn torn") {
		t.Fatal("the corrupt file was changed")
	}
}

// TestLoadAndReset starts from the example fixture, changes things, and
// resets back: the fixture's UUIDs and names return, the changes go.
func TestLoadAndReset(t *testing.T) {
	for _, store := range []StoreKind{StoreMemory, StoreDurable} {
		t.Run(string(store), func(t *testing.T) {
			cfg := durableConfig(t)
			cfg.Store = store
			cfg.Load = "../../fixture/example.yaml"
			d := start(t, cfg, nil)
			want := []string{"archive", "block", "build_cache", "build_cache_pr1234"}
			if got := volumeNames(t, d, cfg); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("loaded: %v, want %v", got, want)
			}
			code, body := do(t, d, cfg, "GET", "/api/storage/volumes/6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6?fields=name", "")
			if code != 200 || !strings.Contains(body, `"build_cache"`) {
				t.Fatalf("fixture UUID: %d %s", code, body)
			}
			_, loaded := do(t, d, cfg, "GET", "/nessie/v1/state", "")
			// The fixture's objects are served: the qtree, the mapped LUN,
			// the policy's rule.
			for _, c := range []struct{ path, want string }{
				{"/api/storage/qtrees?name=team_a&fields=path,export_policy", `"/vol/build_cache/team_a"`},
				{"/api/storage/luns?fields=status.mapped&name=/vol/block/lun0", `"mapped":true`},
				{"/api/protocols/nfs/export-policies?name=builders&fields=rules", `"10.0.0.0/8"`},
			} {
				if code, body := do(t, d, cfg, "GET", c.path, ""); code != 200 || !strings.Contains(body, c.want) {
					t.Fatalf("GET %s: %d %s, want %s", c.path, code, body, c.want)
				}
			}
			if code, body := do(t, d, cfg, "POST", "/api/protocols/san/igroups", `{"name":"extra_hosts","os_type":"linux","svm":{"name":"svm0"}}`); code != 201 {
				t.Fatalf("igroup create: %d %s", code, body)
			}
			if code, body := do(t, d, cfg, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"extra","size":104857600,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`); code != 201 {
				t.Fatalf("create: %d %s", code, body)
			}
			if code, body := do(t, d, cfg, "DELETE", "/api/storage/volumes?name=archive&return_timeout=30", ""); code != 200 {
				t.Fatalf("delete: %d %s", code, body)
			}
			if code, body := do(t, d, cfg, "POST", "/nessie/v1/reset", ""); code != 200 || !strings.Contains(body, `"ok"`) {
				t.Fatalf("reset: %d %s", code, body)
			}
			if got := volumeNames(t, d, cfg); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("after reset: %v, want %v", got, want)
			}
			code, body = do(t, d, cfg, "GET", "/nessie/v1/state", "")
			if code != 200 || !strings.Contains(body, "nessie: fixture/v1") || !strings.Contains(body, "6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6") {
				t.Fatalf("state: %d %s", code, body)
			}
			// Every UUID and time, the generated ones included, is back.
			if body != loaded {
				t.Fatalf("state after reset:\n%s\nwant the state as loaded:\n%s", body, loaded)
			}
			if code, _ := do(t, d, cfg, "GET", "/nessie/v1/reset", ""); code != http.StatusMethodNotAllowed {
				t.Fatalf("GET reset: %d, want 405", code)
			}
			req, _ := http.NewRequest("POST", d.URL+"/nessie/v1/reset", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("unauthenticated reset: %d, want 401", resp.StatusCode)
			}
			if store == StoreDurable {
				// Loaded objects are saved: a restart without --load
				// serves them.
				if err := d.stop(); err != nil {
					t.Fatal(err)
				}
				cfg.Load = ""
				d = start(t, cfg, nil)
				if _, body := do(t, d, cfg, "GET", "/nessie/v1/state", ""); body != loaded {
					t.Fatalf("state after a restart:\n%s\nwant the state as loaded:\n%s", body, loaded)
				}
			}
		})
	}
}

func TestBadFixtureIsRefused(t *testing.T) {
	cfg := durableConfig(t)
	cfg.Load = filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(cfg.Load, []byte("nessie: fixture/v1\nvolumes:\n  - name: a\n    sise: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:4") || !strings.Contains(err.Error(), "sise") {
		t.Fatalf("Run with a bad fixture: %v, want an error naming bad.yaml:4 and the field", err)
	}
}

// TestDurableKeepsEveryONTAPField: a volume created with ONTAP fields that
// live in its attributes, and a snapshot with a comment, read back with
// fields=** identically after a restart (times and all).
func TestDurableKeepsEveryONTAPField(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	code, body := do(t, d, cfg, "POST", "/api/storage/volumes?return_timeout=30&return_records=true",
		`{"name":"full","size":209715200,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"guarantee":{"type":"none"},"comment":"c","nas":{"path":"/full","security_style":"ntfs"},"snapshot_policy":{"name":"none"},"language":"en_us"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct{ Records []struct{ UUID string } }
	if err := json.Unmarshal([]byte(body), &created); err != nil || len(created.Records) != 1 {
		t.Fatalf("create answer %s: %v", body, err)
	}
	id := created.Records[0].UUID
	if code, body := do(t, d, cfg, "POST", "/api/storage/volumes/"+id+"/snapshots?return_timeout=30", `{"name":"s1","comment":"first","snapmirror_label":"daily"}`); code != 201 {
		t.Fatalf("snapshot: %d %s", code, body)
	}
	read := func() (string, string) {
		_, v := do(t, d, cfg, "GET", "/api/storage/volumes/"+id+"?fields=**", "")
		_, s := do(t, d, cfg, "GET", "/api/storage/volumes/"+id+"/snapshots?fields=**", "")
		return v, s
	}
	v1, s1 := read()
	for _, want := range []string{`"guarantee":{"honored":true,"type":"none"}`, `"security_style":"ntfs"`, `"language":"en_us"`, `"snapshot_policy":{"name":"none"}`} {
		if !strings.Contains(v1, want) {
			t.Fatalf("the volume lacks %s before the restart: %s", want, v1)
		}
	}
	if !strings.Contains(s1, `"snapmirror_label":"daily"`) {
		t.Fatalf("the snapshot lacks its label: %s", s1)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	v2, s2 := read()
	if v1 != v2 || s1 != s2 {
		t.Fatalf("changed across the restart:\n%s\n%s\nthen\n%s\n%s", v1, s1, v2, s2)
	}
}
