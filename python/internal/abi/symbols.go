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

// valueSyms maps the recurring values to their sym.
var valueSyms = func() map[string]sym {
	m := make(map[string]sym, numSyms)
	for s := vOnline; s < numSyms; s++ {
		m[symText[s]] = s
	}
	return m
}()

// jsonKeys holds each key quoted and followed by a colon.
var jsonKeys = func() (q [numSyms]string) {
	for s := range numSyms {
		q[s] = `"` + symText[s] + `":`
	}
	return q
}()
