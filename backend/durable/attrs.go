package durable

import (
	"encoding/json"

	"github.com/nessie-go/nessie/backend"
)

// Attribute plumbing between the contract's types and the records. The
// contract's Attributes fields arrive with the core branch; until then
// these keep the records' attributes and report none.

func volumeAttributes(v *backend.Volume) json.RawMessage           { return nil }
func snapshotAttributes(s *backend.Snapshot) json.RawMessage       { return nil }
func setVolumeAttributes(v *backend.Volume, a json.RawMessage)     {}
func setSnapshotAttributes(s *backend.Snapshot, a json.RawMessage) {}
