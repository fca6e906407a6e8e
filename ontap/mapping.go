package ontap

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// Identity is the cluster's identity: the UUIDs and names of the one
// cluster, node, SVM, aggregate and data LIF the server presents. The JSON
// tags let a daemon persist it.
type Identity struct {
	ClusterUUID   string `json:"cluster_uuid"`
	ClusterName   string `json:"cluster_name"`
	NodeUUID      string `json:"node_uuid"`
	NodeName      string `json:"node_name"`
	NodeSerial    string `json:"node_serial"`
	SVMUUID       string `json:"svm_uuid"`
	SVMName       string `json:"svm_name"`
	AggregateUUID string `json:"aggregate_uuid"`
	AggregateName string `json:"aggregate_name"`
	LIFUUID       string `json:"lif_uuid"`
	LIFName       string `json:"lif_name"`
	LIFAddress    string `json:"lif_address"`
}

// API paths of the objects the server serves.
const (
	ClusterPath    = "/api/cluster"
	SoftwarePath   = "/api/cluster/software"
	NodesPath      = "/api/cluster/nodes"
	SVMsPath       = "/api/svm/svms"
	AggregatesPath = "/api/storage/aggregates"
	InterfacesPath = "/api/network/ip/interfaces"
	VolumesPath    = "/api/storage/volumes"
	JobsPath       = "/api/cluster/jobs"
)

// VolumePath is the API path of a volume.
func VolumePath(id string) string { return VolumesPath + "/" + id }

// SnapshotsPath is the API path of a volume's snapshot collection.
func SnapshotsPath(vol string) string { return VolumesPath + "/" + vol + "/snapshots" }

// SnapshotPath is the API path of a snapshot.
func SnapshotPath(vol, snap string) string { return SnapshotsPath(vol) + "/" + snap }

// SVMRef returns the reference to the identity's SVM.
func (id *Identity) SVMRef() *Ref {
	return &Ref{Name: new(id.SVMName), UUID: new(id.SVMUUID), Links: SelfLink(SVMsPath + "/" + id.SVMUUID)}
}

// AggregateRef returns the reference to the identity's aggregate.
func (id *Identity) AggregateRef() Ref {
	return Ref{Name: new(id.AggregateName), UUID: new(id.AggregateUUID), Links: SelfLink(AggregatesPath + "/" + id.AggregateUUID)}
}

// NodeRef returns the reference to the identity's node.
func (id *Identity) NodeRef() *Ref {
	return &Ref{Name: new(id.NodeName), UUID: new(id.NodeUUID), Links: SelfLink(NodesPath + "/" + id.NodeUUID)}
}

// ---- versions ----

var versionRE = regexp.MustCompile(`^(\d{1,3})\.(\d{1,3})\.(\d{1,3})((?:P|X|RC|D)\d{1,3})?$`)

// ReleaseDate is the build date printed in version.full.
const ReleaseDate = "Thu Jan 15 11:21:38 UTC 2026"

// ParseVersion checks an ONTAP version such as "9.16.1" or "9.16.1P6" and
// returns the wire Version with ONTAP's full string
// ("NetApp Release 9.16.1: <date>").
func ParseVersion(s string) (*Version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("ontap version %q is not of the form 9.16.1 (optionally with a P<n> patch suffix)", s)
	}
	g, _ := strconv.ParseInt(m[1], 10, 64)
	ma, _ := strconv.ParseInt(m[2], 10, 64)
	mi, _ := strconv.ParseInt(m[3], 10, 64)
	return &Version{Full: new("NetApp Release " + s + ": " + ReleaseDate), Generation: &g, Major: &ma, Minor: &mi}, nil
}

// ---- snapshots ----

// SnapshotRecord renders a backend snapshot of volume (volID, volName) as
// the full ONTAP record, with its stored attributes (expiry_time,
// snapmirror_label, ...; nil for none). now is used for
// delta.time_elapsed.
func SnapshotRecord(volID, volName string, s *backend.Snapshot, svm *Ref, attrs *Attributes, now time.Time) Snapshot {
	id := s.ID.String()
	size := int64(min(s.SizeConsumed, 1<<63-1))
	w := Snapshot{
		UUID:       new(id),
		Name:       new(s.Name),
		Volume:     &Ref{Name: new(volName), UUID: new(volID), Links: SelfLink(VolumePath(volID))},
		SVM:        svm,
		CreateTime: NewTime(s.CreateTime),
		State:      new("valid"),
		Size:       &size,
		Delta:      &SnapshotDelta{SizeConsumed: new(int64(0)), TimeElapsed: new(ISODuration(now.Sub(s.CreateTime)))},
		Links:      SelfLink(SnapshotPath(volID, id)),
	}
	if s.Comment != "" {
		w.Comment = new(s.Comment)
	}
	if attrs != nil {
		w.Extra = attrs.View
	}
	return w
}

// ISODuration renders d as an ISO 8601 duration ("PT3H27M45S"), as
// ONTAP's delta.time_elapsed.
func ISODuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	out := "PT"
	if h > 0 {
		out += strconv.FormatInt(h, 10) + "H"
	}
	if m > 0 {
		out += strconv.FormatInt(m, 10) + "M"
	}
	if sec > 0 || h == 0 && m == 0 {
		out += strconv.FormatInt(sec, 10) + "S"
	}
	return out
}

// ---- jobs ----

// JobInfo is the state of a job as the server's registry holds it.
type JobInfo struct {
	UUID        string
	Description string
	State       string
	Err         *Error // set on failure
	Start, End  time.Time
	SVM         *Ref
}

// JobRecord renders a job. A successful job has code 0 and message
// "success"; a failed one the error's code (as an integer) and message,
// and the error object (code as a string).
func JobRecord(j *JobInfo) Job {
	w := Job{
		UUID:        new(j.UUID),
		Description: new(j.Description),
		State:       new(j.State),
		Code:        new(int64(0)),
		StartTime:   NewTime(j.Start),
		SVM:         j.SVM,
		Links:       SelfLink(JobPath(j.UUID)),
	}
	switch j.State {
	case JobSuccess:
		w.Message = new("success")
	case JobFailure:
		e := j.Err
		code := int64(e.CodeNum())
		w.Code = &code
		w.Message = new(e.Message)
		w.Error = &JobError{Message: new(e.Message), Code: new(e.Code), Arguments: e.Arguments}
		if e.Target != "" {
			w.Error.Target = new(e.Target)
		}
	default:
		w.Message = new(j.State)
	}
	if !j.End.IsZero() {
		w.EndTime = NewTime(j.End)
	}
	return w
}

// ---- discovery ----

// ClusterRecord renders /api/cluster.
func ClusterRecord(id *Identity, v *Version) Cluster {
	return Cluster{
		Name:     new(id.ClusterName),
		UUID:     new(id.ClusterUUID),
		Version:  v,
		Location: new(""),
		Contact:  new(""),
		Timezone: &NamedRef{Name: new("Etc/UTC")},
		ManagementInterfaces: []ManagementInterface{{
			UUID:  new(id.LIFUUID),
			Name:  new(id.LIFName),
			IP:    &IPAddress{Address: new(id.LIFAddress)},
			Links: SelfLink(InterfacesPath + "/" + id.LIFUUID),
		}},
		SanOptimized:  new(false),
		Disaggregated: new(false),
		Links:         SelfLink(ClusterPath),
	}
}

// SoftwareRecord renders /api/cluster/software: the release every node
// runs, with no update in progress.
func SoftwareRecord(id *Identity, v *Version) ClusterSoftware {
	release := ""
	if v != nil && v.Generation != nil && v.Major != nil && v.Minor != nil {
		release = fmt.Sprintf("%d.%d.%d", *v.Generation, *v.Major, *v.Minor)
	}
	return ClusterSoftware{
		Version: new(release),
		State:   new("completed"),
		Nodes:   []SoftwareNode{{Name: new(id.NodeName), Version: new(release)}},
		Links:   SelfLink(SoftwarePath),
	}
}

// NodeRecord renders the cluster's one node.
func NodeRecord(id *Identity, v *Version) Node {
	return Node{
		UUID:         new(id.NodeUUID),
		Name:         new(id.NodeName),
		SerialNumber: new(id.NodeSerial),
		SystemID:     new("0537000001"),
		Model:        new("nessie"),
		Location:     new(""),
		Membership:   new("member"),
		State:        new("up"),
		Version:      v,
		ManagementInterfaces: []ManagementInterface{{
			UUID:  new(id.LIFUUID),
			Name:  new(id.LIFName),
			IP:    &IPAddress{Address: new(id.LIFAddress)},
			Links: SelfLink(InterfacesPath + "/" + id.LIFUUID),
		}},
		Links: SelfLink(NodesPath + "/" + id.NodeUUID),
	}
}

// SVMRecord renders the cluster's one data SVM: running, NFS enabled, with
// the one aggregate assigned (Trident refuses an SVM without aggregates).
func SVMRecord(id *Identity) SVM {
	off := func() *SVMProtocol { return &SVMProtocol{Enabled: new(false), Allowed: new(false)} }
	return SVM{
		UUID:           new(id.SVMUUID),
		Name:           new(id.SVMName),
		State:          new("running"),
		Subtype:        new("default"),
		Language:       new("c.utf_8"),
		Comment:        new(""),
		Aggregates:     []Ref{id.AggregateRef()},
		IPSpace:        &Ref{Name: new("Default")},
		SnapshotPolicy: &Ref{Name: new("default")},
		MaxVolumes:     new("unlimited"),
		NFS:            &SVMProtocol{Enabled: new(true), Allowed: new(true)},
		CIFS:           off(),
		ISCSI:          &SVMProtocol{Enabled: new(true), Allowed: new(true)}, // its iSCSI service is seeded enabled
		FCP:            off(),
		NVMe:           off(),
		Links:          SelfLink(SVMsPath + "/" + id.SVMUUID),
	}
}

// AggregateSize is the capacity the one aggregate reports (1 PiB).
const AggregateSize = 1 << 50

// aggregateExtra are the aggregate's fields that clients read and that
// describe its (simulated) disks: one mirrorless, unencrypted RAID-DP
// group of 24 SSDs.
var aggregateExtra = Extra{
	"block_storage": Extra{
		"primary":         Extra{"disk_count": int64(24), "raid_size": int64(24), "checksum_style": "block"},
		"mirror":          Extra{"enabled": false, "state": "unmirrored"},
		"storage_type":    "ssd",
		"uses_partitions": false,
	},
	"data_encryption": Extra{"software_encryption_enabled": false, "drive_protection_enabled": false},
	"snaplock_type":   "non_snaplock",
	"is_spare_low":    false,
}

// AggregateRecord renders the cluster's one aggregate; used is the sum of
// the volumes' used bytes.
func AggregateRecord(id *Identity, used int64) Aggregate {
	ref := id.AggregateRef()
	node := id.NodeRef()
	return Aggregate{
		Extra: MergeExtra(aggregateExtra, Extra{"home_node": Extra{"name": *node.Name, "uuid": *node.UUID}}),
		UUID:  ref.UUID,
		Name:  ref.Name,
		Node:  id.NodeRef(),
		State: new("online"),
		BlockStorage: &AggregateBlockStorage{Primary: &AggregatePrimary{
			DiskType: new("ssd"), DiskClass: new("solid_state"), RAIDType: new("raid_dp"),
		}},
		Space: &AggregateSpace{
			BlockStorage: &SpaceBlockStorage{Size: new(int64(AggregateSize)), Used: new(used), Available: new(max(int64(AggregateSize)-used, 0))},
			Footprint:    new(used),
		},
		Links: ref.Links,
	}
}

// InterfaceRecord renders the SVM's one data LIF: up, serving NFS.
func InterfaceRecord(id *Identity) IPInterface {
	return IPInterface{
		UUID:     new(id.LIFUUID),
		Name:     new(id.LIFName),
		IP:       &IPInfo{Address: new(id.LIFAddress), Netmask: new("8"), Family: new(ipFamily(id.LIFAddress))},
		State:    new("up"),
		Enabled:  new(true),
		Scope:    new("svm"),
		Services: []string{"data_core", "data_nfs", "data_cifs", "data_iscsi", "management_https"},
		SVM:      id.SVMRef(),
		Location: &InterfaceLocation{Node: id.NodeRef(), HomeNode: id.NodeRef()},
		Links:    SelfLink(InterfacesPath + "/" + id.LIFUUID),
	}
}

func ipFamily(addr string) string {
	for i := 0; i < len(addr); i++ {
		if addr[i] == ':' {
			return "ipv6"
		}
	}
	return "ipv4"
}
