package abi

// The strings every reply repeats. The marshal writer emits each once per
// reply and back-references it afterwards; the JSON writer uses the
// precomputed quoted forms.

// sym is a dict key or a recurring string value.
type sym uint8

// Keys (k…) and values (v…).
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
	kServer
	kPath
	kResource
	kMessage
	kDetail
	kABI
	kGo
	kHandles
	kHeapAlloc
	kHeapObjects
	kGoroutines
	vOnline
	vOffline
	vRestricted
	vFlexvol
	vRw
	vDp
	vInMemory
	vNfsExport
	vS3Presigned
	vGitRef
	vOntapPassthrough
	vNotFound
	vAlreadyExists
	vInvalidArgument
	vInUse
	vUnsupported
	vInternal
	vVolume
	vSnapshot
	vBackend
	numSyms
)

var symText = [numSyms]string{
	kUUID:               "uuid",
	kName:               "name",
	kSizeBytes:          "size_bytes",
	kState:              "state",
	kStyle:              "style",
	kVolType:            "vol_type",
	kClone:              "clone",
	kParentVolume:       "parent_volume",
	kParentSnapshot:     "parent_snapshot",
	kParentVolumeUUID:   "parent_volume_uuid",
	kParentSnapshotUUID: "parent_snapshot_uuid",
	kJunctionPath:       "junction_path",
	kExportPolicy:       "export_policy",
	kComment:            "comment",
	kCreateTime:         "create_time",
	kUsedBytes:          "used_bytes",
	kSizeConsumed:       "size_consumed",
	kSnapshots:          "snapshots",
	kClones:             "clones",
	kReplication:        "replication",
	kKind:               "kind",
	kServer:             "server",
	kPath:               "path",
	kResource:           "resource",
	kMessage:            "message",
	kDetail:             "detail",
	kABI:                "abi",
	kGo:                 "go",
	kHandles:            "handles",
	kHeapAlloc:          "heap_alloc",
	kHeapObjects:        "heap_objects",
	kGoroutines:         "goroutines",
	vOnline:             "online",
	vOffline:            "offline",
	vRestricted:         "restricted",
	vFlexvol:            "flexvol",
	vRw:                 "rw",
	vDp:                 "dp",
	vInMemory:           "in_memory",
	vNfsExport:          "nfs_export",
	vS3Presigned:        "s3_presigned",
	vGitRef:             "git_ref",
	vOntapPassthrough:   "ontap_passthrough",
	vNotFound:           "not_found",
	vAlreadyExists:      "already_exists",
	vInvalidArgument:    "invalid_argument",
	vInUse:              "in_use",
	vUnsupported:        "unsupported",
	vInternal:           "internal",
	vVolume:             "volume",
	vSnapshot:           "snapshot",
	vBackend:            "backend",
}

// valueSym returns the sym of a recurring value. It is a switch rather
// than a map because it runs for three fields of every volume, and a
// switch on a handful of strings is several times faster than hashing;
// TestValueSymCoversEveryValue keeps it in step with symText.
func valueSym(s string) (sym, bool) {
	switch s {
	case "online":
		return vOnline, true
	case "offline":
		return vOffline, true
	case "restricted":
		return vRestricted, true
	case "flexvol":
		return vFlexvol, true
	case "rw":
		return vRw, true
	case "dp":
		return vDp, true
	case "in_memory":
		return vInMemory, true
	case "nfs_export":
		return vNfsExport, true
	case "s3_presigned":
		return vS3Presigned, true
	case "git_ref":
		return vGitRef, true
	case "ontap_passthrough":
		return vOntapPassthrough, true
	case "not_found":
		return vNotFound, true
	case "already_exists":
		return vAlreadyExists, true
	case "invalid_argument":
		return vInvalidArgument, true
	case "in_use":
		return vInUse, true
	case "unsupported":
		return vUnsupported, true
	case "internal":
		return vInternal, true
	case "volume":
		return vVolume, true
	case "snapshot":
		return vSnapshot, true
	case "backend":
		return vBackend, true
	}
	return 0, false
}

// jsonKeys holds each key quoted and followed by a colon.
var jsonKeys = func() (q [numSyms]string) {
	for s := range numSyms {
		q[s] = `"` + symText[s] + `":`
	}
	return q
}()
