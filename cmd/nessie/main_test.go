package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// nessieBinary builds this command once per test run.
func nessieBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "nessie-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "nessie")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// environ is the test's environment without variables that would change
// the daemon's configuration, plus extra.
func environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NESSIE_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// TestServeEndToEnd runs the real binary: it prints its URL, serves the
// ONTAP API over HTTPS with the configured password, keeps its identity
// across a restart and exits 0 on SIGTERM.
func TestServeEndToEnd(t *testing.T) {
	bin := nessieBinary(t)
	dataDir := t.TempDir()

	serveOnce := func() (clusterUUID string) {
		cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
		cmd.Env = environ("NESSIE_ADMIN_PASSWORD=e2e-secret")
		var stderr syncBuffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		killed := false
		defer func() {
			if !killed {
				cmd.Process.Kill()
				<-exited
			}
		}()

		urlc := make(chan string, 1)
		go func() {
			lines := bufio.NewScanner(stdout)
			for lines.Scan() {
				if u, ok := strings.CutPrefix(lines.Text(), "nessie: serving the ONTAP REST API at "); ok {
					urlc <- u
				}
			}
			io.Copy(io.Discard, stdout)
			exited <- cmd.Wait() // after stdout is drained, as StdoutPipe requires
		}()
		var url string
		select {
		case url = <-urlc:
		case err := <-exited:
			killed = true
			t.Fatalf("nessie exited before printing its URL: %v\n%s", err, stderr.String())
		case <-time.After(60 * time.Second):
			t.Fatalf("no URL printed within 60s\n%s", stderr.String())
		}

		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequest(http.MethodGet, url+"/api/cluster", nil)
		req.SetBasicAuth("admin", "e2e-secret")
		resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("GET %s/api/cluster: %v", url, err)
		}
		defer resp.Body.Close()
		var cluster struct{ UUID string }
		if err := json.NewDecoder(resp.Body).Decode(&cluster); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/cluster: status %d, decode error %v", resp.StatusCode, err)
		}
		if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
			t.Errorf("not served over TLS 1.2+: %+v", resp.TLS)
		}

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		killed = true
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("nessie exited with %v after SIGTERM, want status 0\n%s", err, stderr.String())
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Fatalf("nessie did not exit within 60s of SIGTERM\n%s", stderr.String())
		}
		return cluster.UUID
	}

	first := serveOnce()
	if first == "" {
		t.Fatal("cluster has no uuid")
	}
	if second := serveOnce(); second != first {
		t.Errorf("cluster uuid changed across restart: %s then %s", first, second)
	}
}

func TestServeRefusesDefaultPasswordBeyondLoopbackEndToEnd(t *testing.T) {
	cmd := exec.Command(nessieBinary(t), "serve", "--listen", "0.0.0.0:0", "--data-dir", t.TempDir())
	cmd.Env = environ()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit %v, want status 2; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "NESSIE_ADMIN_PASSWORD") {
		t.Errorf("output does not say how to set a password:\n%s", out)
	}
}
