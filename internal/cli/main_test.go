package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/internal/daemon"
)

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMainExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"--help"}, ExitOK},
		{"no command prints help", nil, ExitOK},
		{"serve help", []string{"serve", "--help"}, ExitOK},
		{"unknown command", []string{"frobnicate"}, ExitUsage},
		{"unknown flag", []string{"serve", "--bogus"}, ExitUsage},
		{"stray argument", []string{"serve", "extra"}, ExitUsage},
		{"invalid config", []string{"serve", "--listen", "nowhere"}, ExitUsage},
		{"missing config file", []string{"serve", "--config", filepath.Join(t.TempDir(), "absent.toml")}, ExitUsage},
		{"version with argument", []string{"version", "x"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runMain(t, tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if (code != ExitOK) != (stderr != "") {
				t.Errorf("exit %d with stderr %q: errors, and only errors, go to stderr", code, stderr)
			}
		})
	}
}

func TestServeRefusesDefaultPasswordBeyondLoopback(t *testing.T) {
	t.Setenv(daemon.PasswordEnv, "")
	dir := filepath.Join(t.TempDir(), "data")
	code, _, stderr := runMain(t, "serve", "--listen", "0.0.0.0:0", "--data-dir", dir)
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(stderr, "admin_password") || !strings.Contains(stderr, daemon.PasswordEnv) {
		t.Errorf("stderr does not say which key to set and how:\n%s", stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("data dir created for a refused config (stat: %v)", err)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runMain(t, "version")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out, "nessie "+shortVersion()+"\n") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version output lacks the version or Go release:\n%s", out)
	}
	code, out, _ = runMain(t, "--version")
	if code != ExitOK || out != "nessie "+shortVersion()+"\n" {
		t.Errorf("--version: exit %d, output %q", code, out)
	}
}

func TestInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nessie.toml")
	code, out, stderr := runMain(t, "init", "--config", path)
	if code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, path) {
		t.Errorf("init output %q does not name the file", out)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != daemon.ConfigTemplate() {
		t.Error("init wrote something other than the template")
	}
	fi, _ := os.Stat(path)
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("config mode %v, want 0600", perm)
	}

	// The written file resolves to the defaults.
	cfg, err := resolveServeConfig([]string{"--config", path}, map[string]string{"HOME": "/h"},
		map[string]string{path: string(got)})
	if err != nil {
		t.Fatalf("resolving the written config: %v", err)
	}
	want := daemon.DefaultConfig()
	want.DataDir = "/h/.local/state/nessie"
	if cfg != want {
		t.Errorf("written config resolves to %+v, want defaults %+v", cfg, want)
	}

	// An existing file is kept without --force and replaced with it.
	if err := os.WriteFile(path, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runMain(t, "init", "--config", path); code != ExitFailure || !strings.Contains(stderr, "--force") {
		t.Errorf("init over an existing file: exit %d, stderr %q; want %d and a hint about --force", code, stderr, ExitFailure)
	}
	if got, _ := os.ReadFile(path); string(got) != "# mine\n" {
		t.Error("init without --force overwrote the file")
	}
	if code, _, stderr := runMain(t, "init", "--config", path, "--force"); code != ExitOK {
		t.Fatalf("init --force: exit %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != daemon.ConfigTemplate() {
		t.Error("init --force did not rewrite the file")
	}
}

// TestServe runs `nessie serve` in process: it prints the URL, answers
// with the configured credentials and exits 0 when its context ends.
func TestServe(t *testing.T) {
	t.Setenv(daemon.PasswordEnv, "in-process")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, outW, &stderr)
		outW.Close()
	}()

	lines := bufio.NewScanner(outR)
	url := ""
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "nessie: serving the ONTAP REST API at "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatalf("no URL printed; exit %d; stderr:\n%s", <-code, stderr.String())
	}
	go io.Copy(io.Discard, outR) // keep the banner flowing

	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, url+"/api/cluster", nil)
	req.SetBasicAuth(daemon.DefaultUsername, "in-process")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/cluster = %d, want 200", resp.StatusCode)
	}

	cancel()
	if c := <-code; c != ExitOK {
		t.Fatalf("serve exited %d after cancel, want 0; stderr:\n%s", c, stderr.String())
	}
}
