package abi

// Symbols are the shared strings of the reply encoding's 'k' tag, in the
// order of NESSIE_SYMBOLS in python/cshim/nessie.h (a cshim test compares
// the two lists).
var Symbols = [...]string{
	"uuid", "name", "size_bytes", "state", "style", "vol_type", "clone",
	"parent_volume", "parent_snapshot", "parent_volume_uuid",
	"parent_snapshot_uuid", "junction_path", "export_policy", "comment",
	"create_time", "used_bytes", "size_consumed", "snapshots", "clones",
	"replication", "kind", "resource", "message",
	"online", "offline", "restricted", "flexvol", "rw", "dp", "in_memory",
	"not_found", "already_exists", "invalid_argument", "in_use",
	"unsupported", "internal", "volume", "snapshot", "backend",
}

type sym uint8

// Indexes into Symbols, for the keys the encoder writes.
const (
	kUUID sym = iota
	kName
	kSizeBytes
	kState
	kStyle
	kVolType
	kClone
	kParentVolume
	kParentSnapshot
	kParentVolumeUUID
	kParentSnapshotUUID
	kJunctionPath
	kExportPolicy
	kComment
	kCreateTime
	kUsedBytes
	kSizeConsumed
	kSnapshots
	kClones
	kReplication
	kKind
	kResource
	kMessage
	numKeys
)

// symIndex maps every symbol to its index.
var symIndex = func() map[string]sym {
	m := make(map[string]sym, len(Symbols))
	for i, s := range Symbols {
		m[s] = sym(i)
	}
	return m
}()

// The dict shapes of the reply encoding's 'D' tag, as NESSIE_SHAPES in
// nessie.h lists them (a cshim test compares the two).
const (
	shapeVolume = iota
	shapeClone
	shapeSnapshot
	shapeOrigin
	shapeCapabilities
)

// Shapes lists the keys of each shape, in order.
var Shapes = [...][]sym{
	shapeVolume:       {kUUID, kName, kSizeBytes, kState, kStyle, kVolType},
	shapeClone:        {kUUID, kName, kSizeBytes, kState, kStyle, kVolType, kClone},
	shapeSnapshot:     {kUUID, kName, kSizeConsumed},
	shapeOrigin:       {kParentVolume, kParentSnapshot},
	shapeCapabilities: {kSnapshots, kClones, kReplication},
}

// enumSym returns the symbol of the enum values volumes carry (state,
// style, type), without a map lookup.
func enumSym(s string) (sym, bool) {
	switch s {
	case "online":
		return symOnline, true
	case "offline":
		return symOnline + 1, true
	case "restricted":
		return symOnline + 2, true
	case "flexvol":
		return symOnline + 3, true
	case "rw":
		return symOnline + 4, true
	case "dp":
		return symOnline + 5, true
	}
	return 0, false
}

// symOnline is the index of "online"; the other enum values follow it.
const symOnline sym = numKeys
