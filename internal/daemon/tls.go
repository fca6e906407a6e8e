package daemon

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The persisted certificate's place in the data directory (nessie-store's
// layout).
const (
	tlsDir   = "tls"
	certFile = "cert.pem"
	keyFile  = "key.pem"
)

// certValidity is how long a minted certificate is valid. Clients of a
// self-signed development endpoint skip verification, so a long life
// avoids a surprise expiry without weakening anything they check.
const certValidity = 10 * 365 * 24 * time.Hour

// loadKeyPair loads a PEM certificate and key, warning about a key file
// others can read.
func loadKeyPair(certPath, keyPath string, log *slog.Logger) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("loading TLS certificate %s and key %s: %w", certPath, keyPath, err)
	}
	if fi, err := os.Stat(keyPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("TLS private key is readable by other users", "path", keyPath, "mode", fi.Mode().Perm().String())
	}
	return cert, nil
}

// loadOrCreateCert returns the certificate persisted in dataDir/tls,
// minting a self-signed one for hosts first if there is none. hosts are
// DNS names and IP addresses for the subject alternative names.
func loadOrCreateCert(dataDir string, hosts []string, now time.Time, log *slog.Logger) (cert tls.Certificate, created bool, err error) {
	dir := filepath.Join(dataDir, tlsDir)
	certPath, keyPath := filepath.Join(dir, certFile), filepath.Join(dir, keyFile)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		created, err = publishDirOnce(dir, func(tmp string) error { return writeSelfSigned(tmp, hosts, now) })
		if err != nil {
			return tls.Certificate{}, false, fmt.Errorf("minting TLS certificate in %s: %w", dir, err)
		}
	}
	cert, err = loadKeyPair(certPath, keyPath, log)
	if err != nil {
		return tls.Certificate{}, false, fmt.Errorf("%w (delete %s to mint a new self-signed certificate)", err, dir)
	}
	if leaf := cert.Leaf; leaf != nil {
		if now.After(leaf.NotAfter) {
			log.Warn("TLS certificate has expired; clients that verify it will fail", "path", certPath, "not_after", leaf.NotAfter)
		}
		for _, h := range hosts {
			if leaf.VerifyHostname(h) != nil {
				log.Info("TLS certificate does not name this host; clients that verify it will fail", "host", h, "path", certPath)
			}
		}
	}
	return cert, created, nil
}

// publishDirOnce fills a fresh directory with fill and renames it to dir,
// so dir appears complete or not at all, and of concurrent publishers
// exactly one wins. It reports whether this call created dir.
func publishDirOnce(dir string, fill func(tmp string) error) (bool, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".*")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// rename(2) refuses to replace a non-empty directory: someone
		// else published first.
		if _, statErr := os.Stat(dir); statErr == nil {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// writeSelfSigned writes a self-signed ECDSA P-256 server certificate for
// hosts to dir/cert.pem and its PKCS #8 key to dir/key.pem (mode 0600).
func writeSelfSigned(dir string, hosts []string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "nessie", Organization: []string{"nessie (self-signed)"}},
		NotBefore:             now.Add(-time.Hour), // tolerate clock skew
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if a, err := netip.ParseAddr(h); err == nil {
			ip := net.IP(a.AsSlice())
			if !slices.ContainsFunc(tmpl.IPAddresses, ip.Equal) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if !slices.Contains(tmpl.DNSNames, h) {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, keyFile), 0o600, "PRIVATE KEY", keyDER); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, certFile), 0o644, "CERTIFICATE", der)
}

func writePEM(path string, mode os.FileMode, typ string, der []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: typ, Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fingerprint is the SHA-256 of a certificate's DER, in hex: what a user
// compares with `openssl x509 -noout -fingerprint -sha256`.
func fingerprint(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return hex.EncodeToString(sum[:])
}
