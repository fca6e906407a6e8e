package daemon

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/server"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func sameUUIDs(a, b server.Identity) bool {
	return a.ClusterUUID == b.ClusterUUID && a.NodeUUID == b.NodeUUID && a.SVMUUID == b.SVMUUID &&
		a.AggregateUUID == b.AggregateUUID && a.LIFUUID == b.LIFUUID
}

func TestIdentityIsMintedOnceAndNamesFollowConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	first, created, err := loadOrCreateIdentity(dir, cfg)
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	if first.ClusterName != cfg.ClusterName || first.SVMName != cfg.SVMName || first.LIFAddress != cfg.DataLIF {
		t.Errorf("identity names %+v do not follow config", first)
	}

	again, _, err := loadOrCreateIdentity(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.NodeSerial == "" || again.NodeSerial != first.NodeSerial {
		t.Errorf("minted node serial %q not kept (reloaded %q)", first.NodeSerial, again.NodeSerial)
	}

	cfg.ClusterName, cfg.SVMName, cfg.DataLIF, cfg.NodeSerial = "renamed", "vs9", "10.1.2.3", "S-42"
	second, created, err := loadOrCreateIdentity(dir, cfg)
	if err != nil || created {
		t.Fatalf("second load: created=%v err=%v", created, err)
	}
	if !sameUUIDs(first, second) {
		t.Errorf("UUIDs changed across loads:\n%+v\n%+v", first, second)
	}
	if second.ClusterName != "renamed" || second.SVMName != "vs9" || second.LIFAddress != "10.1.2.3" || second.NodeSerial != "S-42" {
		t.Errorf("renamed config not applied: %+v", second)
	}
}

func TestIdentityConcurrentFirstStartsAgree(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	ids := make([]server.Identity, n)
	creators := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i], creators[i], errs[i] = loadOrCreateIdentity(dir, DefaultConfig()) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("load %d: %v", i, errs[i])
		}
		if !sameUUIDs(ids[0], ids[i]) {
			t.Errorf("load %d got different UUIDs", i)
		}
		if creators[i] {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d loads report creating the identity, want 1", created)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".identity*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestIdentityFromNessieStore(t *testing.T) {
	// nessie-store writes exactly these five keys.
	dir := t.TempDir()
	const file = `{
  "cluster_uuid": "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a01",
  "svm_uuid": "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a02",
  "node_uuid": "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a03",
  "aggregate_uuid": "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a04",
  "lif_uuid": "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a05"
}`
	if err := os.WriteFile(filepath.Join(dir, identityFile), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	id, created, err := loadOrCreateIdentity(dir, DefaultConfig())
	if err != nil || created {
		t.Fatalf("created=%v err=%v", created, err)
	}
	if id.ClusterUUID != "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a01" || id.LIFUUID != "0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a05" {
		t.Errorf("UUIDs not taken from the file: %+v", id)
	}
	if id.ClusterName != DefaultClusterName {
		t.Errorf("cluster name = %q, want the configured %q", id.ClusterName, DefaultClusterName)
	}
	// The fields nessie-store did not store are filled in, stably.
	again, _, err := loadOrCreateIdentity(dir, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if id.NodeSerial == "" || id.LIFName == "" || again.NodeSerial != id.NodeSerial {
		t.Errorf("missing fields not filled stably: serial %q then %q, LIF name %q", id.NodeSerial, again.NodeSerial, id.LIFName)
	}
}

func TestIdentityCorruptIsAnError(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":     "{",
		"missing UUID": `{"cluster_uuid":"0b5c1b4e-5b59-4f43-9c3e-2d1e8b6c9a01"}`,
		"bad UUID":     `{"cluster_uuid":"x","svm_uuid":"x","node_uuid":"x","aggregate_uuid":"x","lif_uuid":"x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, identityFile)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := loadOrCreateIdentity(dir, DefaultConfig()); err == nil {
				t.Fatal("corrupt identity accepted")
			}
			if got, _ := os.ReadFile(path); string(got) != content {
				t.Errorf("corrupt identity was overwritten with %q", got)
			}
		})
	}
}

func TestCertIsMintedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	hosts := []string{"localhost", "127.0.0.1", "::1", "nessie.test"}
	now := time.Now()
	first, created, err := loadOrCreateCert(dir, hosts, now, discard)
	if err != nil || !created {
		t.Fatalf("first: created=%v err=%v", created, err)
	}
	second, created, err := loadOrCreateCert(dir, hosts, now, discard)
	if err != nil || created {
		t.Fatalf("second: created=%v err=%v", created, err)
	}
	if fingerprint(first) != fingerprint(second) {
		t.Fatal("certificate changed across loads")
	}

	fi, err := os.Stat(filepath.Join(dir, tlsDir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}

	// The certificate is a server certificate valid for every host, and
	// verifies against itself as the root (how a client would pin it).
	leaf := first.Leaf
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	for _, h := range hosts {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: h, Roots: roots, CurrentTime: now}); err != nil {
			t.Errorf("certificate does not verify for %q: %v", h, err)
		}
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key is %T, want ECDSA P-256", leaf.PublicKey)
	}
	if leaf.IsCA || !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("want a server-auth leaf, got IsCA=%v ExtKeyUsage=%v", leaf.IsCA, leaf.ExtKeyUsage)
	}
}

func TestCertConcurrentFirstStartsAgree(t *testing.T) {
	dir := t.TempDir()
	const n = 6
	sums := make([]string, n)
	creators := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var c tls.Certificate
			c, creators[i], errs[i] = loadOrCreateCert(dir, []string{"localhost"}, time.Now(), discard)
			sums[i] = fingerprint(c)
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("load %d: %v", i, errs[i])
		}
		if sums[i] != sums[0] {
			t.Errorf("load %d got a different certificate", i)
		}
		if creators[i] {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d loads report minting, want 1", created)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tls*")); len(left) != 0 {
		t.Errorf("temporary directories left behind: %v", left)
	}
}

func TestCertIncompleteDirIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, tlsDir), 0o700); err != nil {
		t.Fatal(err)
	}
	certPath := filepath.Join(dir, tlsDir, certFile)
	if err := os.WriteFile(certPath, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateCert(dir, []string{"localhost"}, time.Now(), discard); err == nil {
		t.Fatal("a tls directory without a usable key pair was accepted")
	}
	if got, _ := os.ReadFile(certPath); string(got) != "not a certificate" {
		t.Error("the user's file was overwritten")
	}
}
