package daemon

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"github.com/nessie-go/nessie/server"
)

// identityFile is the identity's name in the data directory (the same as
// nessie-store's, whose five UUID keys it shares).
const identityFile = "identity.json"

// loadOrCreateIdentity returns the identity persisted in dir, minting and
// persisting one first if there is none. The UUIDs (and, unless cfg sets
// one, the node serial) come from the file; the names come from cfg, so
// renaming never changes a UUID.
func loadOrCreateIdentity(dir string, cfg Config) (id server.Identity, created bool, err error) {
	path := filepath.Join(dir, identityFile)
	id, err = readIdentity(path)
	if errors.Is(err, fs.ErrNotExist) {
		created, err = publishOnce(path, func(f *os.File) error {
			enc := json.NewEncoder(f)
			enc.SetIndent("", "  ")
			return enc.Encode(withNames(server.NewIdentity(), cfg))
		})
		if err != nil {
			return server.Identity{}, false, fmt.Errorf("writing identity %s: %w", path, err)
		}
		// Read back what was published: a concurrent first start may have
		// won the race, and its identity is the one that counts.
		id, err = readIdentity(path)
	}
	if err != nil {
		return server.Identity{}, false, err
	}
	fillMissing(&id)
	return withNames(id, cfg), created, nil
}

// fillMissing completes an identity written by nessie-store, which stored
// only the five UUIDs: the LIF gets the default name and the node a serial
// derived from the cluster UUID, stable without rewriting the file.
func fillMissing(id *server.Identity) {
	if id.LIFName == "" {
		id.LIFName = server.NewIdentity().LIFName
	}
	if id.NodeSerial == "" {
		sum := sha256.Sum256([]byte(id.ClusterUUID))
		id.NodeSerial = fmt.Sprintf("7%011d", binary.BigEndian.Uint64(sum[:8])%100_000_000_000)
	}
}

func readIdentity(path string) (server.Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return server.Identity{}, err
	}
	var id server.Identity
	if err := json.Unmarshal(data, &id); err != nil {
		return server.Identity{}, fmt.Errorf("identity %s is corrupt (%v); restore it from a backup, or delete it to mint new UUIDs (clients that cached the old ones must be re-registered)", path, err)
	}
	for _, f := range []struct{ key, val string }{
		{"cluster_uuid", id.ClusterUUID},
		{"node_uuid", id.NodeUUID},
		{"svm_uuid", id.SVMUUID},
		{"aggregate_uuid", id.AggregateUUID},
		{"lif_uuid", id.LIFUUID},
	} {
		if _, err := uuid.Parse(f.val); err != nil {
			return server.Identity{}, fmt.Errorf("identity %s is corrupt: %s %q is not a UUID; restore it from a backup, or delete it to mint new UUIDs", path, f.key, f.val)
		}
	}
	return id, nil
}

// withNames returns id with the names (and data LIF address) of cfg; an
// empty cfg.NodeSerial keeps the persisted serial.
func withNames(id server.Identity, cfg Config) server.Identity {
	id.ClusterName = cfg.ClusterName
	id.NodeName = cfg.NodeName
	if cfg.NodeSerial != "" {
		id.NodeSerial = cfg.NodeSerial
	}
	id.SVMName = cfg.SVMName
	id.AggregateName = cfg.AggregateName
	id.LIFAddress = cfg.DataLIF
	return id
}

// publishOnce creates path with the content write produces, atomically and
// only if path does not exist yet: readers never see a partial file, and of
// concurrent publishers exactly one wins. It reports whether this call
// created the file.
func publishOnce(path string, write func(*os.File) error) (bool, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	// link(2), unlike rename(2), fails if the target exists.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
