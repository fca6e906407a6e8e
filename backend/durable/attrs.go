package durable

import (
	"encoding/json"
	"slices"

	"github.com/nessie-go/nessie/backend"
)

// Attribute plumbing between the contract's types and the records: stored
// compacted, returned as a copy the caller owns.

func volumeAttributes(v *backend.Volume) json.RawMessage     { return v.Attributes }
func snapshotAttributes(s *backend.Snapshot) json.RawMessage { return s.Attributes }

func setVolumeAttributes(v *backend.Volume, a json.RawMessage) { v.Attributes = slices.Clone(a) }

func setSnapshotAttributes(s *backend.Snapshot, a json.RawMessage) { s.Attributes = slices.Clone(a) }
