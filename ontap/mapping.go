package ontap

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
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

// ---- volumes ----

// VolumeAttrs are the volume settings ONTAP clients set and read back that
// the backend contract does not model (snapshot policy, space guarantee,
// security style, ...). The server stores them per volume and renders
// them; they have no effect on data.
type VolumeAttrs struct {
	Language                       string
	SnapshotPolicy                 string
	GuaranteeType                  string
	SecurityStyle                  string
	UnixPermissions                int64
	UID, GID                       int64
	SnapshotReservePercent         int64
	EncryptionEnabled              bool
	TieringPolicy                  string
	QoSPolicy                      string
	SnapshotDirectoryAccessEnabled bool
}

// DefaultVolumeAttrs are ONTAP's create defaults.
func DefaultVolumeAttrs() VolumeAttrs {
	return VolumeAttrs{
		Language:                       "c.utf_8",
		SnapshotPolicy:                 "default",
		GuaranteeType:                  "volume",
		SecurityStyle:                  "unix",
		UnixPermissions:                755,
		SnapshotReservePercent:         5,
		TieringPolicy:                  "none",
		SnapshotDirectoryAccessEnabled: true,
	}
}

// Apply copies the attributes a request sets into a, validating their
// values.
func (a *VolumeAttrs) Apply(w *Volume) error {
	if w.Language != nil {
		a.Language = *w.Language
	}
	if w.SnapshotPolicy != nil && w.SnapshotPolicy.Name != nil {
		a.SnapshotPolicy = *w.SnapshotPolicy.Name
	}
	if w.Guarantee != nil && w.Guarantee.Type != nil {
		switch *w.Guarantee.Type {
		case "volume", "none":
			a.GuaranteeType = *w.Guarantee.Type
		default:
			return ErrInvalidValue("guarantee.type", *w.Guarantee.Type, "volume|none")
		}
	}
	if n := w.NAS; n != nil {
		if n.SecurityStyle != nil {
			switch *n.SecurityStyle {
			case "unix", "ntfs", "mixed", "unified":
				a.SecurityStyle = *n.SecurityStyle
			default:
				return ErrInvalidValue("nas.security_style", *n.SecurityStyle, "unix|ntfs|mixed|unified")
			}
		}
		if n.UnixPermissions != nil {
			a.UnixPermissions = *n.UnixPermissions
		}
		if n.UID != nil {
			a.UID = *n.UID
		}
		if n.GID != nil {
			a.GID = *n.GID
		}
	}
	if w.Space != nil && w.Space.Snapshot != nil && w.Space.Snapshot.ReservePercent != nil {
		p := *w.Space.Snapshot.ReservePercent
		if p < 0 || p > 90 {
			return ErrInvalidValue("space.snapshot.reserve_percent", strconv.FormatInt(p, 10), "<integer 0-90>")
		}
		a.SnapshotReservePercent = p
	}
	if w.Encryption != nil && w.Encryption.Enabled != nil {
		a.EncryptionEnabled = *w.Encryption.Enabled
	}
	if w.Tiering != nil && w.Tiering.Policy != nil {
		switch *w.Tiering.Policy {
		case "all", "auto", "backup", "none", "snapshot_only":
			a.TieringPolicy = *w.Tiering.Policy
		default:
			return ErrInvalidValue("tiering.policy", *w.Tiering.Policy, "all|auto|backup|none|snapshot_only")
		}
	}
	if w.QoS != nil && w.QoS.Policy != nil && w.QoS.Policy.Name != nil {
		a.QoSPolicy = *w.QoS.Policy.Name
	}
	if w.SnapshotDirectoryAccessEnabled != nil {
		a.SnapshotDirectoryAccessEnabled = *w.SnapshotDirectoryAccessEnabled
	}
	return nil
}

// DefaultExportPolicy is the export policy a volume without one reports.
const DefaultExportPolicy = "default"

// Shared values: records point at these instead of allocating; nothing
// writes through a record's pointers (projection replaces, never mutates).
var (
	ptrTrue    = new(true)
	ptrFalse   = new(false)
	ptrZero    = new(int64(0))
	stateNames = map[backend.VolumeState]*string{}
	styleNames = map[backend.VolumeStyle]*string{}
	typeNames  = map[backend.VolumeType]*string{}
)

func init() {
	for _, s := range []backend.VolumeState{backend.StateOnline, backend.StateOffline, backend.StateRestricted} {
		stateNames[s] = new(string(s))
	}
	styleNames[backend.StyleFlexVol] = new(string(backend.StyleFlexVol))
	for _, t := range []backend.VolumeType{backend.TypeRW, backend.TypeDP} {
		typeNames[t] = new(string(t))
	}
}

func interned[K ~string](m map[K]*string, k K) *string {
	if p := m[k]; p != nil {
		return p
	}
	return new(string(k))
}

// VolumeContext is what rendering a volume needs besides the volume.
type VolumeContext struct {
	// SVM and Aggregate are the shared references of the cluster's SVM
	// and aggregate.
	SVM       *Ref
	Aggregate Ref
	// EmptyExportPolicy is reported for a volume without an export
	// policy: ONTAP reports DefaultExportPolicy; "" omits the field.
	EmptyExportPolicy string
}

// VolumeRecord renders a backend volume as an ONTAP record. With a nil q
// every field is rendered (the query engine trims it later); otherwise
// only the top-level fields q needs are built, which keeps large lists
// cheap.
func VolumeRecord(v *backend.Volume, c *VolumeContext, attrs *VolumeAttrs, q *Query) Volume {
	svm, aggr := c.SVM, c.Aggregate
	id := v.ID.String()
	w := Volume{UUID: &id, Name: new(v.Name), Links: SelfLink(VolumePath(id))}
	if q.Needs("comment") && v.Comment != "" {
		w.Comment = new(v.Comment)
	}
	if q.Needs("create_time") && !v.CreateTime.IsZero() {
		w.CreateTime = NewTime(v.CreateTime)
	}
	if q.Needs("language") {
		w.Language = &attrs.Language
	}
	if q.Needs("state") {
		w.State = interned(stateNames, v.State)
	}
	if q.Needs("style") {
		w.Style = interned(styleNames, v.Style)
	}
	if q.Needs("type") {
		w.Type = interned(typeNames, v.Type)
	}
	if q.Needs("svm") {
		w.SVM = svm
	}
	if q.Needs("aggregates") {
		w.Aggregates = []Ref{aggr}
	}
	if q.Needs("snapshot_policy") {
		w.SnapshotPolicy = &NamedRef{Name: &attrs.SnapshotPolicy}
	}
	if q.Needs("guarantee") {
		w.Guarantee = &VolumeGuarantee{Type: &attrs.GuaranteeType, Honored: ptrTrue}
	}
	if q.Needs("encryption") {
		w.Encryption = &VolumeEncryption{Enabled: &attrs.EncryptionEnabled}
	}
	if q.Needs("tiering") {
		w.Tiering = &VolumeTiering{Policy: &attrs.TieringPolicy}
	}
	if q.Needs("snapshot_directory_access_enabled") {
		w.SnapshotDirectoryAccessEnabled = &attrs.SnapshotDirectoryAccessEnabled
	}
	n, limited := v.Size.Get()
	size := int64(min(n, 1<<63-1))
	if limited && q.Needs("size") {
		w.Size = &size
	}
	if q.Needs("space") {
		used := int64(min(v.UsedBytes, 1<<63-1))
		w.Space = &VolumeSpace{Used: &used, Snapshot: &VolumeSpaceSnapshot{ReservePercent: &attrs.SnapshotReservePercent, Used: ptrZero}}
		if limited {
			w.Space.Size = &size
			w.Space.Available = new(max(size-used, 0))
		}
	}
	if q.Needs("nas") {
		w.NAS = &VolumeNAS{
			SecurityStyle:   &attrs.SecurityStyle,
			UnixPermissions: &attrs.UnixPermissions,
			UID:             &attrs.UID,
			GID:             &attrs.GID,
		}
		if v.JunctionPath != "" {
			w.NAS.Path = new(v.JunctionPath)
		}
		if policy := cmp.Or(v.ExportPolicy, c.EmptyExportPolicy); policy != "" {
			w.NAS.ExportPolicy = &ExportPolicyRef{Name: &policy}
		}
	}
	if q.Needs("qos") && attrs.QoSPolicy != "" {
		w.QoS = &VolumeQoS{Policy: &NamedRef{Name: &attrs.QoSPolicy}}
	}
	if q.Needs("clone") {
		w.Clone = &VolumeClone{IsFlexclone: ptrFalse, SplitInitiated: ptrFalse}
		if c := v.Clone; c != nil {
			pv, ps := c.ParentVolumeID.String(), c.ParentSnapshotID.String()
			w.Clone.IsFlexclone = ptrTrue
			w.Clone.ParentVolume = &Ref{Name: new(c.ParentVolume), UUID: &pv, Links: SelfLink(VolumePath(pv))}
			w.Clone.ParentSnapshot = &Ref{Name: new(c.ParentSnapshot), UUID: &ps, Links: SelfLink(SnapshotPath(pv, ps))}
			w.Clone.ParentSVM = &Ref{Name: svm.Name, UUID: svm.UUID}
			w.Clone.SplitCompletePercent = ptrZero
		}
	}
	return w
}

// VolumeSpec reads a create request into a backend spec (name, size,
// junction path, export policy, comment).
func VolumeSpec(w *Volume) backend.VolumeSpec {
	var s backend.VolumeSpec
	if w.Name != nil {
		s.Name = *w.Name
	}
	if w.Size != nil && *w.Size >= 0 {
		s.Size = backend.Bytes(uint64(*w.Size))
	}
	if w.Comment != nil {
		s.Comment = *w.Comment
	}
	if w.NAS != nil {
		if w.NAS.Path != nil {
			s.JunctionPath = *w.NAS.Path
		}
		if w.NAS.ExportPolicy != nil && w.NAS.ExportPolicy.Name != nil {
			s.ExportPolicy = *w.NAS.ExportPolicy.Name
		}
	}
	return s
}

// VolumePatch reads a PATCH body into a backend patch. Fields the body
// does not set stay nil.
func VolumePatch(w *Volume) backend.VolumePatch {
	var p backend.VolumePatch
	p.Name = w.Name
	p.Comment = w.Comment
	if w.Size != nil && *w.Size >= 0 {
		p.Size = new(backend.Bytes(uint64(*w.Size)))
	}
	if w.State != nil {
		p.State = new(backend.VolumeState(*w.State))
	}
	if w.NAS != nil {
		p.JunctionPath = w.NAS.Path
		if w.NAS.ExportPolicy != nil {
			p.ExportPolicy = w.NAS.ExportPolicy.Name
		}
	}
	return p
}

// MinVolumeSize is ONTAP's smallest FlexVol (20 MB).
const MinVolumeSize = 20 << 20

// DefaultVolumeSize is ONTAP's size for a volume created without one.
const DefaultVolumeSize = 20 << 20

// MaxVolumeNameLen is ONTAP's volume-name limit for FlexVols.
const MaxVolumeNameLen = 203

// CheckVolumeName enforces ONTAP's volume-name rules: at most 203
// characters; letters, digits and '_'; first a letter or '_'. target names
// the field in the error ("name").
func CheckVolumeName(target, name string) *Error {
	switch {
	case name == "":
		return Errorf(http.StatusBadRequest, CodeInvalidValue, target, "%q is a required field", target)
	case len(name) > MaxVolumeNameLen:
		return Errorf(http.StatusBadRequest, CodeVolumeNameTooLong, target, "Volume name is too long: it must be %d characters or less.", MaxVolumeNameLen)
	case !isLetter(name[0]) && name[0] != '_':
		return Errorf(http.StatusBadRequest, CodeVolumeNameFirstChar, target, "Invalid volume name %q: the first character must be a letter or underscore.", text.Truncate(name, 64))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '_' {
			return Errorf(http.StatusBadRequest, CodeVolumeNameChar, target, "Invalid character %q in volume name %q: only letters, digits and underscore are allowed.", string(rune(c)), text.Truncate(name, 64))
		}
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ---- snapshots ----

// SnapshotAttrs are snapshot settings clients set and read back that the
// backend does not model; the server stores them.
type SnapshotAttrs struct {
	ExpiryTime      time.Time
	SnapmirrorLabel string
}

// SnapshotRecord renders a backend snapshot of volume (volID, volName) as
// the full ONTAP record. now is used for delta.time_elapsed.
func SnapshotRecord(volID, volName string, s *backend.Snapshot, svm *Ref, attrs *SnapshotAttrs, now time.Time) Snapshot {
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
		if !attrs.ExpiryTime.IsZero() {
			w.ExpiryTime = NewTime(attrs.ExpiryTime)
		}
		if attrs.SnapmirrorLabel != "" {
			w.SnapmirrorLabel = new(attrs.SnapmirrorLabel)
		}
	}
	return w
}

// SnapshotPatch reads a snapshot PATCH body into a backend patch.
func SnapshotPatch(w *Snapshot) backend.SnapshotPatch {
	return backend.SnapshotPatch{Name: w.Name, Comment: w.Comment}
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
		ISCSI:          off(),
		FCP:            off(),
		NVMe:           off(),
		Links:          SelfLink(SVMsPath + "/" + id.SVMUUID),
	}
}

// AggregateSize is the capacity the one aggregate reports (1 PiB).
const AggregateSize = 1 << 50

// AggregateRecord renders the cluster's one aggregate; used is the sum of
// the volumes' used bytes.
func AggregateRecord(id *Identity, used int64) Aggregate {
	ref := id.AggregateRef()
	return Aggregate{
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
		Services: []string{"data_core", "data_nfs", "management_https"},
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
