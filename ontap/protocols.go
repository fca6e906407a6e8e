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
// the same SVM is refused with the service's code.
func oneService(code int, label string) func(a, b Extra) *Error {
	return func(a, b Extra) *Error {
		return Errorf(http.StatusConflict, code, "svm.uuid", "The SVM already has %s.", label)
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
	Conflicts: oneService(CodeDuplicateEntry, "an NFS service"),
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
	Conflicts:    oneService(CodeCIFSServerExists, "a CIFS server; only one CIFS server is supported per SVM"),
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

// CIFS codes, from ONTAP's error tables for /protocols/cifs/services and
// /protocols/cifs/shares.
const (
	CodeCIFSServerExists   = 655477 // only one CIFS server per SVM
	CodeNetBIOSNameTooLong = 655562 // a NetBIOS name of more than 15 characters
	CodeNetBIOSNameChars   = 655563 // characters a NetBIOS name cannot hold
	CodeCIFSServerMissing  = 655399 // a share needs the SVM's CIFS server
	CodeSharePathMissing   = 655551 // the share's path does not exist
	CodeShareNameTooLong   = 655577 // a share name of more than 80 characters
	CodeShareNameInvalid   = 656426 // an invalid share name
	CodeSharePathRelative  = 656423 // a share path must be absolute
)

func checkCIFSName(name string, required bool) error {
	switch {
	case name == "" && required:
		return ErrRequired("name")
	case len(name) > 15:
		return Errorf(http.StatusBadRequest, CodeNetBIOSNameTooLong, "name", "NetBIOS name %q is longer than 15 characters.", text.Truncate(name, 64))
	case strings.ContainsAny(name, ` \/:*?"<>|.,;=+[]`):
		return Errorf(http.StatusBadRequest, CodeNetBIOSNameChars, "name", "NetBIOS name %q contains characters that are not allowed.", text.Truncate(name, 64))
	}
	return nil
}

// CIFSShareKind is /api/protocols/cifs/shares: shares named per SVM
// (/protocols/cifs/shares/{svm.uuid}/{name}, at most 80 characters), each
// with an absolute path. That the SVM has a CIFS server (655399) and the
// path exists in it (655551) is checked by package server, which knows
// the volumes' junction paths.
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
		case len(name) > 80:
			return Errorf(http.StatusBadRequest, CodeShareNameTooLong, "name", "The CIFS share name cannot be more than 80 characters long.")
		case strings.ContainsAny(name, `\/:*?"<>|`) || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }):
			return Errorf(http.StatusBadRequest, CodeShareNameInvalid, "name", "CIFS share creation failed because the share name %q is invalid.", text.Truncate(name, 64))
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
		return Errorf(http.StatusBadRequest, CodeSharePathRelative, "path", "Failed to create CIFS share. The share must define an absolute share path, not %q.", text.Truncate(p, 64))
	}
	return nil
}

// Snapshot-policy and schedule codes (ONTAP's tables for
// /storage/snapshot-policies, its /schedules and /cluster/schedules;
// 917551 is a volume's snapshot_policy naming no policy).
const (
	CodeSnapshotPolicyNotFound  = 917551  // the volume's snapshot policy does not exist
	CodePolicyCountRequired     = 1638407 // a schedule's count must be given
	CodePolicyScheduleRequired  = 1638408 // a schedule's name must be given
	CodePolicyScheduleExists    = 1638410 // the schedule is already in the policy
	CodePolicyLastSchedule      = 1638411 // a policy keeps at least one schedule
	CodePolicyScheduleNotIn     = 1638412 // the schedule is not in the policy
	CodeScheduleNotFound        = 1638413 // no such job schedule
	CodeSnapshotPolicyInUse     = 1638415 // a policy volumes use cannot be deleted
	CodeSnapshotPolicyName      = 1638417 // an invalid policy name
	CodeSnapshotPolicyInUseSVM  = 1638430 // a policy an SVM uses cannot be deleted
	CodeSnapshotPolicyBuiltin   = 1638431 // a built-in policy cannot be deleted
	CodePolicyCountTooLarge     = 1638451 // more copies in total than a volume holds
	CodePolicyPrefixTaken       = 1638508 // two schedules with one prefix
	CodeSnapshotPolicyDuplicate = 1638527 // the policy name exists
	CodeScheduleInUse           = 459758  // a job schedule a policy uses cannot be deleted
	CodeCronWithInterval        = 461785  // a cron schedule has no interval
	CodeIntervalWithCron        = 461786  // an interval schedule has no cron
)

// MaxPolicySnapshots is the most snapshots a policy's schedules keep in
// total (a volume's limit), and MaxPolicySchedules the most schedules in
// a policy.
const (
	MaxPolicySnapshots = 1023
	MaxPolicySchedules = 5
)

// SnapshotPolicyKind is /api/storage/snapshot-policies: "default",
// "default-1weekly" and "none" exist from the start (cluster-scoped, not
// deletable: 1638431); others are named per SVM (or cluster-wide without
// an svm); each entry of copies names an existing job schedule (package
// server resolves it to {name, uuid}: 1638413), at most once, with a
// count and a prefix of its own, at most 5 schedules and 1023 copies in
// all. A policy a volume uses cannot be deleted (1638415). Its copies are
// also served one schedule at a time at /{uuid}/schedules
// (SnapshotPolicyScheduleRules).
var SnapshotPolicyKind = &Kind{
	Object:  schema.SnapshotPolicy,
	Label:   "snapshot policy",
	Path:    "/api/storage/snapshot-policies",
	Key:     "uuid",
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm", Optional: true}},
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeSnapshotPolicyDuplicate, "name", "Snapshot policy %q already exists.", text.Truncate(name, 64))
	}),
	Builtin: func(svm Extra) []Extra {
		cp := func(sched string, n int64) Extra {
			return Extra{"count": n, "prefix": sched, "schedule": Extra{"name": sched}}
		}
		return []Extra{
			{"name": "default", "enabled": true, "comment": "Default policy with hourly, daily & weekly schedules.",
				"copies": anyList(cp("hourly", 6), cp("daily", 2), cp("weekly", 2))},
			{"name": "default-1weekly", "enabled": true, "comment": "Default policy with 6 hourly, 2 daily & 1 weekly schedule.",
				"copies": anyList(cp("hourly", 6), cp("daily", 2), cp("weekly", 1))},
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
		name := LookupString(rec, "name")
		switch {
		case name == "":
			return ErrRequired("name")
		case len(name) > 256 || strings.ContainsAny(name, " \t\r\n,"):
			return Errorf(http.StatusBadRequest, CodeSnapshotPolicyName, "name", "Specified policy name %q is invalid.", text.Truncate(name, 64))
		}
		arr, _ := rec["copies"].([]any)
		if len(arr) == 0 {
			return Errorf(http.StatusBadRequest, CodePolicyScheduleRequired, "copies.schedule.name",
				"When adding schedule to a snapshot policy, the schedule name must be specified.")
		}
		return CheckPolicyCopies(arr)
	},
	Delete: func(rec Extra) error {
		if IsBuiltinSnapshotPolicy(rec) {
			return Errorf(http.StatusBadRequest, CodeSnapshotPolicyBuiltin, "uuid", "Cannot delete built-in policy %q.", LookupString(rec, "name"))
		}
		return nil
	},
}

// IsBuiltinSnapshotPolicy reports whether rec is one of the cluster's own
// snapshot policies.
func IsBuiltinSnapshotPolicy(rec Extra) bool {
	switch LookupString(rec, "name") {
	case "default", "default-1weekly", "none":
		return LookupString(rec, "svm.uuid") == ""
	}
	return false
}

// CheckPolicyCopies checks a snapshot policy's copies (its schedules):
// each names a schedule, once, with a count (1638407, 1638408, 1638410);
// prefixes differ (1638508); at most MaxPolicySchedules schedules and
// MaxPolicySnapshots copies in all (1638451).
func CheckPolicyCopies(arr []any) error {
	if len(arr) > MaxPolicySchedules {
		return ErrInvalidValue("copies", strconv.Itoa(len(arr))+" schedules", "<at most 5 schedules>")
	}
	total := int64(0)
	scheds, prefixes := map[string]bool{}, map[string]bool{}
	for _, e := range arr {
		c, _ := e.(Extra)
		if err := checkPolicyCopy(c); err != nil {
			return err
		}
		n, _ := LookupInt(c, "count")
		total += n
		id := LookupString(c, "schedule.name") + "\x00" + LookupString(c, "schedule.uuid")
		if scheds[id] {
			return Errorf(http.StatusConflict, CodePolicyScheduleExists, "copies.schedule.name", "Specified schedule already exists in snapshot policy.")
		}
		scheds[id] = true
		if p := LookupString(c, "prefix"); p != "" {
			if prefixes[p] {
				return Errorf(http.StatusBadRequest, CodePolicyPrefixTaken, "copies.prefix", "Another schedule has the same prefix %q within this policy.", text.Truncate(p, 64))
			}
			prefixes[p] = true
		}
	}
	if total > MaxPolicySnapshots {
		return Errorf(http.StatusBadRequest, CodePolicyCountTooLarge, "copies.count",
			"This operation would result in total snapshot count for the policy to exceed maximum supported count (%d).", MaxPolicySnapshots)
	}
	return nil
}

// checkPolicyCopy checks one schedule of a snapshot policy.
func checkPolicyCopy(c Extra) error {
	if LookupString(c, "schedule.name") == "" && LookupString(c, "schedule.uuid") == "" {
		return Errorf(http.StatusBadRequest, CodePolicyScheduleRequired, "copies.schedule.name",
			"When adding schedule to a snapshot policy, the schedule name must be specified.")
	}
	n, ok := LookupInt(c, "count")
	if !ok {
		return Errorf(http.StatusBadRequest, CodePolicyCountRequired, "copies.count",
			"When adding schedule to a snapshot policy, the count for that schedule must be specified.")
	}
	if n < 0 || n > MaxPolicySnapshots {
		return ErrInvalidValue("copies.count", strconv.FormatInt(n, 10), "<0-1023>")
	}
	return nil
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
		return Errorf(http.StatusConflict, CodeDuplicateEntry, "name", "Schedule %q already exists.", text.Truncate(name, 64))
	}),
	Builtin: func(svm Extra) []Extra {
		return []Extra{
			{"name": "5min", "cron": Extra{"minutes": anyList[int64](0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55)}},
			{"name": "8hour", "cron": Extra{"minutes": anyList[int64](15), "hours": anyList[int64](2, 10, 18)}},
			{"name": "daily", "cron": Extra{"minutes": anyList[int64](10), "hours": anyList[int64](0)}},
			{"name": "hourly", "cron": Extra{"minutes": anyList[int64](5)}},
			{"name": "weekly", "cron": Extra{"minutes": anyList[int64](15), "hours": anyList[int64](0), "weekdays": anyList[int64](0)}},
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
		cron, interval := Lookup(patch, "cron") != nil, Lookup(patch, "interval") != nil
		switch {
		case cron && interval:
			return checkSchedule(patch)
		case interval && Lookup(old, "cron") != nil:
			return Errorf(http.StatusBadRequest, CodeCronWithInterval, "interval", "A cron schedule cannot have an interval field.")
		case cron && Lookup(old, "interval") != nil:
			return Errorf(http.StatusBadRequest, CodeIntervalWithCron, "cron", "An interval schedule cannot have a cron field.")
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

// QoS policy codes (ONTAP's tables for /storage/qos/policies; 8454243 is
// the code ONTAP documents for a LUN naming a QoS policy that does not
// exist, used here for volumes too).
const (
	CodeQoSPolicyDuplicate  = 8454154 // the name is another QoS policy's
	CodeQoSMinAboveMax      = 8454194 // a minimum throughput above the maximum
	CodeQoSFieldCombination = 8454389 // fields that cannot be combined (fixed and adaptive)
	CodeQoSPolicyNotFound   = 8454243 // the named QoS policy does not exist
)

// QoSPolicyKind is /api/storage/qos/policies: fixed or adaptive QoS
// policy groups of an SVM, named uniquely in the cluster; a fixed policy's minimum cannot exceed
// its maximum. A volume's qos.policy must name one of its SVM's (package
// server checks it), and a policy a volume uses cannot be deleted. (The
// throughput is not modelled.)
var QoSPolicyKind = &Kind{
	Object:  schema.QoSPolicy,
	Label:   "QoS policy",
	Path:    "/api/storage/qos/policies",
	Key:     "uuid",
	Always:  []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm"}},
	Async:   true,
	// Policy group names are unique in the cluster (ONTAP's qos
	// policy-group commands name a group without its SVM).
	ClusterWide: true,
	Conflicts: SameName(func(name string) *Error {
		return Errorf(http.StatusConflict, CodeQoSPolicyDuplicate, "name", "QoS policy %q already exists.", text.Truncate(name, 64))
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
			return Errorf(http.StatusBadRequest, CodeQoSFieldCombination, "adaptive", "A QoS policy is either fixed or adaptive, not both.")
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
			return Errorf(http.StatusBadRequest, CodeQoSMinAboveMax, "fixed.min_throughput_"+u,
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

// Volume efficiency policy codes (ONTAP's tables for
// /storage/volume-efficiency-policies).
const (
	CodeEfficiencyThresholdLow   = 6881362 // a threshold below 1 percent
	CodeEfficiencyThresholdSched = 6881433 // a threshold policy has no schedule
	CodeEfficiencyNotThreshold   = 6881435 // only a threshold policy has start_threshold_percent
	CodeEfficiencyPolicyInUse    = 6881346 // a policy a volume uses cannot be deleted
)

func checkEfficiencyPolicy(rec Extra) error {
	n, hasThreshold := LookupInt(rec, "start_threshold_percent")
	switch {
	case hasThreshold && n < 1:
		return Errorf(http.StatusBadRequest, CodeEfficiencyThresholdLow, "start_threshold_percent", "Threshold percentage cannot be less than 1 percent.")
	case hasThreshold && n > 100:
		return ErrInvalidValue("start_threshold_percent", strconv.FormatInt(n, 10), "<1-100>")
	case hasThreshold && LookupString(rec, "type") != "threshold":
		return Errorf(http.StatusBadRequest, CodeEfficiencyNotThreshold, "start_threshold_percent", `Only a policy of type "threshold" can set "start_threshold_percent".`)
	case LookupString(rec, "type") == "threshold" && LookupString(rec, "schedule.name") != "":
		return Errorf(http.StatusBadRequest, CodeEfficiencyThresholdSched, "schedule.name", `For a "threshold" type policy, a schedule is not supported.`)
	}
	return nil
}

// anyList makes a JSON array of the built-in records' values, as a stored
// record holds arrays ([]any).
func anyList[T any](xs ...T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
