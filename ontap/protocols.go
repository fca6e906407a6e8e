package ontap

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// oneService is the Conflicts rule of a per-SVM service: a second one in
// the same SVM is refused.
func oneService(label string) func(a, b Extra) *Error {
	return func(a, b Extra) *Error {
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "svm.uuid", "The SVM already has %s.", label)
	}
}

// NFSServiceKind is /api/protocols/nfs/services: at most one per SVM,
// named by the SVM's uuid (/protocols/nfs/services/{svm.uuid}); enabled,
// with NFSv3 on and NFSv4.x off, unless the body says otherwise.
var NFSServiceKind = &Kind{
	Object:    schema.NFSService,
	Label:     "NFS service",
	Path:      "/api/protocols/nfs/services",
	Key:       "svm.uuid",
	Parents:   []Parent{{Field: "svm", Kind: "svm"}},
	Conflicts: oneService("an NFS service"),
	Defaults: func(rec Extra) Extra {
		for f, v := range map[string]any{"enabled": true, "protocol.v3_enabled": true, "protocol.v40_enabled": false,
			"protocol.v41_enabled": false, "transport.tcp_enabled": true} {
			if Lookup(rec, f) == nil {
				rec = With(rec, f, v)
			}
		}
		return rec
	},
	Complete: serviceState,
	Patch: func(old, patch Extra, paths []string) error {
		if Lookup(patch, "svm") != nil {
			return ErrNotSettable("svm")
		}
		return nil
	},
}

// serviceState derives a service's read-only state from enabled.
func serviceState(rec Extra) Extra {
	if on, ok := Lookup(rec, "enabled").(bool); ok && !on {
		return With(rec, "state", "offline")
	}
	return With(rec, "state", "online")
}

// CIFSServiceKind is /api/protocols/cifs/services: the SVM's CIFS server,
// at most one per SVM (/protocols/cifs/services/{svm.uuid}), with a
// NetBIOS name of at most 15 characters. The Active Directory join is
// recorded, not performed.
var CIFSServiceKind = &Kind{
	Object:       schema.CIFSService,
	Label:        "CIFS server",
	Path:         "/api/protocols/cifs/services",
	Key:          "svm.uuid",
	Always:       []string{"name"},
	Parents:      []Parent{{Field: "svm", Kind: "svm"}},
	Conflicts:    oneService("a CIFS server"),
	Async:        true, // ONTAP joins the domain in a job
	DeleteFields: []string{"ad_domain.user", "ad_domain.password", "ad_domain.fqdn", "ad_domain.organizational_unit"},
	DeleteParams: []string{"force"},
	PatchParams:  []string{"force"},
	Defaults: func(rec Extra) Extra {
		if Lookup(rec, "enabled") == nil {
			rec = With(rec, "enabled", true)
		}
		return rec
	},
	Complete: func(rec Extra) Extra {
		auth := "workgroup"
		if LookupString(rec, "ad_domain.fqdn") != "" {
			auth = "domain"
		}
		if Lookup(rec, "ad_domain.password") != nil {
			// The password is write-only (never read back) and only
			// joins the domain: it is not kept, in memory or on disk.
			rec = With(rec, "ad_domain.password", nil)
		}
		return With(rec, "auth-style", auth)
	},
	Create: func(rec Extra) error { return checkCIFSName(LookupString(rec, "name"), true) },
	Patch: func(old, patch Extra, paths []string) error {
		if _, ok := patch["name"]; ok {
			return checkCIFSName(LookupString(patch, "name"), true)
		}
		return nil
	},
}

// CodeCIFSNameInvalid is ONTAP's code for an invalid CIFS server
// (NetBIOS) name.
const CodeCIFSNameInvalid = 655399

func checkCIFSName(name string, required bool) error {
	switch {
	case name == "" && required:
		return ErrRequired("name")
	case len(name) > 15:
		return Errorf(http.StatusBadRequest, CodeCIFSNameInvalid, "name", "The CIFS server name %q is longer than 15 characters.", text.Truncate(name, 64))
	case strings.ContainsAny(name, ` \/:*?"<>|.,;=+[]`):
		return Errorf(http.StatusBadRequest, CodeCIFSNameInvalid, "name", "The CIFS server name %q has characters a NetBIOS name cannot hold.", text.Truncate(name, 64))
	}
	return nil
}

// CIFSShareKind is /api/protocols/cifs/shares: shares named per SVM
// (/protocols/cifs/shares/{svm.uuid}/{name}), each with a path starting
// with "/".
var CIFSShareKind = &Kind{
	Object:        schema.CIFSShare,
	Label:         "CIFS share",
	Path:          "/api/protocols/cifs/shares",
	Key:           "name",
	Scope:         "svm",
	Always:        []string{"svm"},
	Parents:       []Parent{{Field: "svm", Kind: "svm"}},
	DeleteInScope: true,
	Defaults: func(rec Extra) Extra {
		if Lookup(rec, "acls") == nil {
			rec = With(rec, "acls", []any{Extra{"permission": "full_control", "type": "windows", "user_or_group": "Everyone"}})
		}
		for f, v := range map[string]any{"browsable": true, "oplocks": true, "change_notify": true, "unix_symlink": "local",
			"offline_files": "manual", "show_snapshot": false} {
			if Lookup(rec, f) == nil {
				rec = With(rec, f, v)
			}
		}
		return rec
	},
	Create: func(rec Extra) error {
		name := LookupString(rec, "name")
		switch {
		case name == "":
			return ErrRequired("name")
		case len(name) > 256 || strings.ContainsAny(name, `\/:*?"<>|`):
			return ErrInvalidValue("name", name, "<share name: at most 256 characters, none of \\/:*?\"<>|>")
		}
		return checkSharePath(rec, true)
	},
	Patch: func(old, patch Extra, paths []string) error { return checkSharePath(patch, false) },
}

func checkSharePath(rec Extra, required bool) error {
	p, ok := rec["path"].(string)
	switch {
	case !ok && required:
		return ErrRequired("path")
	case ok && !strings.HasPrefix(p, "/"):
		return ErrInvalidValue("path", p, "<absolute path in the SVM's namespace>")
	}
	return nil
}

// Snapshot-policy and schedule codes (ONTAP's tables for
// /storage/snapshot-policies and /cluster/schedules; 917551 is a
// volume's snapshot_policy naming no policy).
const (
	CodeSnapshotPolicyNotFound = 917551  // the volume's snapshot policy does not exist
	CodeSnapshotPolicyInUse    = 1638421 // a policy volumes use cannot be deleted
	CodeScheduleDuplicate      = 458753  // a schedule with that name exists
)

// SnapshotPolicyKind is /api/storage/snapshot-policies: "default",
// "default-1weekly" and "none" exist from the start (cluster-scoped);
// others are named per SVM (or cluster-wide without an svm); each entry
// of copies names a schedule and keeps at most 1023 copies. A policy a
// volume uses cannot be deleted.
var SnapshotPolicyKind = &Kind{
	Object:  schema.SnapshotPolicy,
	Label:   "snapshot policy",
	Path:    "/api/storage/snapshot-policies",
	Key:     "uuid",
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm", Optional: true}},
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "name", "Snapshot policy %q already exists.", text.Truncate(name, 64))
	}),
	Builtin: func(svm Extra) []Extra {
		copies := func(cs ...Extra) []any {
			out := make([]any, len(cs))
			for i, c := range cs {
				out[i] = c
			}
			return out
		}
		cp := func(sched string, n int64) Extra {
			return Extra{"count": n, "prefix": sched, "schedule": Extra{"name": sched}}
		}
		return []Extra{
			{"name": "default", "enabled": true, "comment": "Default policy with hourly, daily & weekly schedules.",
				"copies": copies(cp("hourly", 6), cp("daily", 2), cp("weekly", 2))},
			{"name": "default-1weekly", "enabled": true, "comment": "Default policy with 6 hourly, 2 daily & 1 weekly schedule.",
				"copies": copies(cp("hourly", 6), cp("daily", 2), cp("weekly", 1))},
			{"name": "none", "enabled": false, "comment": "Policy for no automatic snapshots."},
		}
	},
	Complete: func(rec Extra) Extra {
		// Each copy's prefix defaults to its schedule's name and its
		// SnapMirror label to "-" (none), as ONTAP reports them.
		if arr, ok := rec["copies"].([]any); ok {
			out := make([]any, len(arr))
			for i, e := range arr {
				c, _ := e.(Extra)
				if LookupString(c, "prefix") == "" {
					c = With(c, "prefix", LookupString(c, "schedule.name"))
				}
				if LookupString(c, "snapmirror_label") == "" {
					c = With(c, "snapmirror_label", "-")
				}
				out[i] = c
			}
			rec = With(rec, "copies", out)
		}
		if LookupString(rec, "svm.uuid") != "" {
			return With(rec, "scope", "svm")
		}
		return With(rec, "scope", "cluster")
	},
	Defaults: func(rec Extra) Extra {
		if Lookup(rec, "enabled") == nil {
			rec = With(rec, "enabled", true)
		}
		return rec
	},
	Create: func(rec Extra) error {
		if LookupString(rec, "name") == "" {
			return ErrRequired("name")
		}
		arr, _ := rec["copies"].([]any)
		if len(arr) == 0 {
			return ErrRequired("copies")
		}
		for _, e := range arr {
			c, _ := e.(Extra)
			if LookupString(c, "schedule.name") == "" && LookupString(c, "schedule.uuid") == "" {
				return ErrRequired("copies.schedule.name")
			}
			if n, ok := LookupInt(c, "count"); ok && (n < 0 || n > 1023) {
				return ErrInvalidValue("copies.count", strconv.FormatInt(n, 10), "<0-1023>")
			}
		}
		return nil
	},
	Delete: func(rec Extra) error {
		switch LookupString(rec, "name") {
		case "default", "default-1weekly", "none":
			if LookupString(rec, "svm.uuid") == "" {
				return Errorf(http.StatusBadRequest, CodeSnapshotPolicyInUse, "uuid", "The built-in snapshot policy %q cannot be deleted.", LookupString(rec, "name"))
			}
		}
		return nil
	},
}

// ScheduleKind is /api/cluster/schedules: cron and interval job
// schedules, names unique; the usual ONTAP schedules (5min, 8hour, daily,
// hourly, weekly) exist from the start. A schedule has exactly one of
// cron and interval.
var ScheduleKind = &Kind{
	Object:  schema.Schedule,
	Label:   "schedule",
	Path:    "/api/cluster/schedules",
	Key:     "uuid",
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm", Optional: true}},
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeScheduleDuplicate, "name", "Schedule %q already exists.", text.Truncate(name, 64))
	}),
	Builtin: func(svm Extra) []Extra {
		ints := func(ns ...int64) []any {
			out := make([]any, len(ns))
			for i, n := range ns {
				out[i] = n
			}
			return out
		}
		return []Extra{
			{"name": "5min", "cron": Extra{"minutes": ints(0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55)}},
			{"name": "8hour", "cron": Extra{"minutes": ints(15), "hours": ints(2, 10, 18)}},
			{"name": "daily", "cron": Extra{"minutes": ints(10), "hours": ints(0)}},
			{"name": "hourly", "cron": Extra{"minutes": ints(5)}},
			{"name": "weekly", "cron": Extra{"minutes": ints(15), "hours": ints(0), "weekdays": ints(0)}},
		}
	},
	Complete: func(rec Extra) Extra {
		typ := "cron"
		if Lookup(rec, "interval") != nil {
			typ = "interval"
		}
		rec = With(rec, "type", typ)
		if LookupString(rec, "svm.uuid") != "" {
			return With(rec, "scope", "svm")
		}
		return With(rec, "scope", "cluster")
	},
	Create: func(rec Extra) error {
		if LookupString(rec, "name") == "" {
			return ErrRequired("name")
		}
		return checkSchedule(rec)
	},
	Patch: func(old, patch Extra, paths []string) error {
		if Lookup(patch, "cron") != nil && Lookup(patch, "interval") != nil {
			return checkSchedule(patch)
		}
		return checkCron(patch)
	},
}

func checkSchedule(rec Extra) error {
	cron, interval := Lookup(rec, "cron") != nil, Lookup(rec, "interval") != nil
	if cron == interval {
		return Errorf(http.StatusBadRequest, CodeInvalidValue, "cron", "A schedule needs exactly one of \"cron\" and \"interval\".")
	}
	return checkCron(rec)
}

// checkCron checks the ranges of a cron schedule's lists.
func checkCron(rec Extra) error {
	for f, r := range map[string][2]int64{"minutes": {0, 59}, "hours": {0, 23}, "days": {1, 31}, "months": {1, 12}, "weekdays": {0, 6}} {
		arr, _ := Lookup(rec, "cron."+f).([]any)
		for _, e := range arr {
			if n, ok := e.(int64); !ok || n < r[0] || n > r[1] {
				return ErrInvalidValue("cron."+f, fmt.Sprint(e), fmt.Sprintf("<integer %d-%d>", r[0], r[1]))
			}
		}
	}
	return nil
}

// QoSPolicyKind is /api/storage/qos/policies: fixed or adaptive QoS
// policy groups, named per SVM; a fixed policy's minimum cannot exceed
// its maximum. (Volumes name QoS policies freely: the throughput is not
// modelled.)
var QoSPolicyKind = &Kind{
	Object:  schema.QoSPolicy,
	Label:   "QoS policy",
	Path:    "/api/storage/qos/policies",
	Key:     "uuid",
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm"}},
	Async:   true,
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "name", "QoS policy %q already exists.", text.Truncate(name, 64))
	}),
	Complete: func(rec Extra) Extra {
		rec = With(rec, "policy_class", "user_defined")
		rec = With(rec, "scope", "svm")
		if Lookup(rec, "object_count") == nil {
			rec = With(rec, "object_count", int64(0))
		}
		return rec
	},
	Create: func(rec Extra) error {
		if LookupString(rec, "name") == "" {
			return ErrRequired("name")
		}
		if Lookup(rec, "fixed") != nil && Lookup(rec, "adaptive") != nil {
			return Errorf(http.StatusBadRequest, CodeInvalidValue, "adaptive", "A QoS policy is either fixed or adaptive, not both.")
		}
		return checkQoSLimits(rec)
	},
	Patch: func(old, patch Extra, paths []string) error { return checkQoSLimits(MergeExtra(old, patch)) },
}

func checkQoSLimits(rec Extra) error {
	for _, u := range []string{"iops", "mbps"} {
		lo, okLo := LookupInt(rec, "fixed.min_throughput_"+u)
		hi, okHi := LookupInt(rec, "fixed.max_throughput_"+u)
		if okLo && lo < 0 || okHi && hi < 0 {
			return ErrInvalidValue("fixed.max_throughput_"+u, "negative", "<non-negative integer>")
		}
		if okLo && okHi && hi > 0 && lo > hi {
			return Errorf(http.StatusBadRequest, CodeInvalidValue, "fixed.min_throughput_"+u,
				"fixed.min_throughput_%s (%d) is above fixed.max_throughput_%s (%d).", u, lo, u, hi)
		}
	}
	return nil
}

// VolumeEfficiencyPolicyKind is /api/storage/volume-efficiency-policies:
// scheduled or threshold efficiency policies named per SVM; a scheduled
// one names a schedule, a threshold one has start_threshold_percent.
var VolumeEfficiencyPolicyKind = &Kind{
	Object:  schema.VolumeEfficiencyPolicy,
	Label:   "volume efficiency policy",
	Path:    "/api/storage/volume-efficiency-policies",
	Key:     "uuid",
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm"}},
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "name", "Volume efficiency policy %q already exists.", text.Truncate(name, 64))
	}),
	Defaults: func(rec Extra) Extra {
		for f, v := range map[string]any{"enabled": true, "type": "scheduled", "qos_policy": "best_effort"} {
			if Lookup(rec, f) == nil {
				rec = With(rec, f, v)
			}
		}
		return rec
	},
	Create: func(rec Extra) error {
		if LookupString(rec, "name") == "" {
			return ErrRequired("name")
		}
		return checkEfficiencyPolicy(rec)
	},
	Patch: func(old, patch Extra, paths []string) error { return checkEfficiencyPolicy(MergeExtra(old, patch)) },
}

func checkEfficiencyPolicy(rec Extra) error {
	if n, ok := LookupInt(rec, "start_threshold_percent"); ok && (n < 1 || n > 100) {
		return ErrInvalidValue("start_threshold_percent", strconv.FormatInt(n, 10), "<1-100>")
	}
	if LookupString(rec, "type") == "threshold" && LookupString(rec, "schedule.name") != "" {
		return Errorf(http.StatusBadRequest, CodeInvalidValue, "schedule.name", "A threshold efficiency policy has no schedule.")
	}
	return nil
}
