package ontap

import (
	"bytes"
	"fmt"
	"time"

	"github.com/nessie-go/nessie/internal/text"
)

// Struct tags. Every wire struct carries a json tag (the ONTAP field name)
// and may carry an ontap tag with comma-separated flags that drive the query
// engine and the body decoder:
//
//	key        always returned at the record root (identifiers and _links)
//	expensive  returned only when named in fields or by fields=**
//	ro         read-only: rejected in request bodies (262196)
//	size       an integer that also accepts "240MB"-style strings (×1024)
//
// A field with neither key nor expensive is "common": returned by a single
// GET and by fields=*.

// Time is an ONTAP date-time. It renders with a numeric UTC offset
// ("2021-04-10T09:51:13+00:00"), as ONTAP does, and parses any RFC 3339 time.
type Time struct{ time.Time }

// TimeLayout is the layout ONTAP uses for date-times.
const TimeLayout = "2006-01-02T15:04:05-07:00"

// NewTime returns t truncated to seconds, as ONTAP reports times.
func NewTime(t time.Time) *Time { return &Time{t.Truncate(time.Second)} }

// MarshalJSON renders the ONTAP layout.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.Time.AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts an RFC 3339 string.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("date-time must be a string, got %s", text.Truncate(string(b), 40))
	}
	v, err := ParseTime(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*t = Time{v}
	return nil
}

// ParseTime parses an RFC 3339 date-time (with or without fractional
// seconds).
func ParseTime(s string) (time.Time, error) {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date-time", text.Truncate(s, 40))
	}
	return v, nil
}

// Href is a HAL link target.
type Href struct {
	Href string `json:"href"`
}

// Links is the HAL _links object: self on every object, next on a
// collection page that has more records.
type Links struct {
	Self *Href `json:"self,omitempty"`
	Next *Href `json:"next,omitempty" ontap:"ext"` // collections only
}

// SelfLink returns Links with only self set.
func SelfLink(href string) *Links { return &Links{Self: &Href{Href: href}} }

// Ref names another object (an SVM, aggregate, node, volume, snapshot,
// policy) by name and UUID.
type Ref struct {
	Name  *string `json:"name,omitempty"`
	UUID  *string `json:"uuid,omitempty"`
	Links *Links  `json:"_links,omitempty" ontap:"ro"`
}

// NamedRef is a reference by name only (policies that ONTAP identifies by
// name, such as export or QoS policies).
type NamedRef struct {
	Name *string `json:"name,omitempty"`
}

// Volume is an ONTAP volume record (/api/storage/volumes). The same struct
// is the request body of POST and PATCH. Its typed fields are the ones
// nessie gives behaviour or computes; every other field of ONTAP's volume
// (guarantee, efficiency, qos, snapshot_policy, analytics, ...) lives in
// Extra, stored with the volume and served back.
type Volume struct {
	UUID       *string           `json:"uuid,omitempty" ontap:"key,ro"`
	Name       *string           `json:"name,omitempty" ontap:"key"`
	Comment    *string           `json:"comment,omitempty"`
	CreateTime *Time             `json:"create_time,omitempty" ontap:"ro"`
	Size       *int64            `json:"size,omitempty" ontap:"size"`
	State      *string           `json:"state,omitempty"`
	Style      *string           `json:"style,omitempty"`
	Type       *string           `json:"type,omitempty"`
	SVM        *Ref              `json:"svm,omitempty"`
	Aggregates []Ref             `json:"aggregates,omitempty"`
	NAS        *VolumeNAS        `json:"nas,omitempty"`
	Space      *VolumeSpace      `json:"space,omitempty"`
	Clone      *VolumeClone      `json:"clone,omitempty"`
	Quota      *VolumeQuota      `json:"quota,omitempty" ontap:"expensive"`
	Encryption *VolumeEncryption `json:"encryption,omitempty" ontap:"expensive"`
	RestoreTo  *VolumeRestoreTo  `json:"restore_to,omitempty" ontap:"expensive,ext"`
	Links      *Links            `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// VolumeNAS is a volume's junction path and export policy. path is
// expensive in ONTAP: request it by name.
type VolumeNAS struct {
	Path         *string          `json:"path,omitempty" ontap:"expensive"`
	ExportPolicy *ExportPolicyRef `json:"export_policy,omitempty"`
}

// ExportPolicyRef names a volume's export policy.
type ExportPolicyRef struct {
	Name *string `json:"name,omitempty"`
	ID   *int64  `json:"id,omitempty" ontap:"expensive"`
}

// VolumeSpace is a volume's space accounting. size is the volume size
// (settable, like size); the rest is computed.
type VolumeSpace struct {
	Size         *int64               `json:"size,omitempty" ontap:"size"`
	Available    *int64               `json:"available,omitempty" ontap:"ro"`
	Used         *int64               `json:"used,omitempty" ontap:"ro"`
	AFSTotal     *int64               `json:"afs_total,omitempty" ontap:"ro"`
	LogicalSpace *VolumeLogicalSpace  `json:"logical_space,omitempty"`
	Snapshot     *VolumeSpaceSnapshot `json:"snapshot,omitempty"`
}

// VolumeLogicalSpace is the logical space a volume's data uses.
type VolumeLogicalSpace struct {
	Used      *int64 `json:"used,omitempty" ontap:"ro"`
	Available *int64 `json:"available,omitempty" ontap:"ro"`
}

// VolumeSpaceSnapshot is the space snapshots use (the reserve percentage
// lives in Extra).
type VolumeSpaceSnapshot struct {
	Used *int64 `json:"used,omitempty" ontap:"ro"`
}

// VolumeClone is the FlexClone block. In requests, is_flexclone with
// parent_volume (and optionally parent_snapshot) creates a clone, and
// split_initiated starts a split.
type VolumeClone struct {
	IsFlexclone          *bool  `json:"is_flexclone,omitempty"`
	ParentVolume         *Ref   `json:"parent_volume,omitempty" ontap:"expensive"`
	ParentSnapshot       *Ref   `json:"parent_snapshot,omitempty" ontap:"expensive"`
	ParentSVM            *Ref   `json:"parent_svm,omitempty" ontap:"expensive"`
	SplitInitiated       *bool  `json:"split_initiated,omitempty" ontap:"expensive"`
	SplitCompletePercent *int64 `json:"split_complete_percent,omitempty" ontap:"expensive,ro"`
}

// VolumeQuota is the quota state, derived from the quota.enabled a PATCH
// sets (ONTAP accepts enabled only in PATCH and reports state).
type VolumeQuota struct {
	State *string `json:"state,omitempty" ontap:"ro"`
}

// VolumeEncryption reports the encryption state that the enabled setting
// (kept in Extra) implies.
type VolumeEncryption struct {
	State *string `json:"state,omitempty" ontap:"ro"`
	Type  *string `json:"type,omitempty" ontap:"ro"`
}

// VolumeRestoreTo is the restore request of a volume PATCH (body or query
// form): restore the volume to the named snapshot.
type VolumeRestoreTo struct {
	Snapshot *Ref `json:"snapshot,omitempty"`
}

// Snapshot is an ONTAP snapshot record
// (/api/storage/volumes/{volume.uuid}/snapshots).
type Snapshot struct {
	UUID       *string        `json:"uuid,omitempty" ontap:"key,ro"`
	Name       *string        `json:"name,omitempty" ontap:"key"`
	Volume     *Ref           `json:"volume,omitempty"`
	SVM        *Ref           `json:"svm,omitempty"`
	CreateTime *Time          `json:"create_time,omitempty" ontap:"ro"`
	Comment    *string        `json:"comment,omitempty"`
	State      *string        `json:"state,omitempty" ontap:"ro"`
	Size       *int64         `json:"size,omitempty" ontap:"ro"`
	Delta      *SnapshotDelta `json:"delta,omitempty" ontap:"ro,expensive"`
	Links      *Links         `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// SnapshotDelta is the change since the snapshot was taken; expensive, so
// returned only when requested.
type SnapshotDelta struct {
	SizeConsumed *int64  `json:"size_consumed,omitempty"`
	TimeElapsed  *string `json:"time_elapsed,omitempty"`
}

// Job is an asynchronous job (/api/cluster/jobs). code is an integer (0 on
// success); error.code is a string, as ONTAP sends them.
type Job struct {
	UUID        *string   `json:"uuid,omitempty" ontap:"key,ro"`
	Description *string   `json:"description,omitempty"`
	State       *string   `json:"state,omitempty"`
	Message     *string   `json:"message,omitempty"`
	Code        *int64    `json:"code,omitempty"`
	Error       *JobError `json:"error,omitempty"`
	StartTime   *Time     `json:"start_time,omitempty"`
	EndTime     *Time     `json:"end_time,omitempty"`
	SVM         *Ref      `json:"svm,omitempty"`
	Links       *Links    `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// JobError is the error of a failed job; it repeats the job's code (as a
// string) and message.
type JobError struct {
	Message   *string         `json:"message,omitempty"`
	Code      *string         `json:"code,omitempty"`
	Target    *string         `json:"target,omitempty" ontap:"ext"`
	Arguments []ErrorArgument `json:"arguments,omitempty"`
}

// The job states. queued, running and paused are not terminal.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobPaused  = "paused"
	JobSuccess = "success"
	JobFailure = "failure"
)

// JobLink is the reference to a job carried by a 202 response. Trident
// reads uuid; Ansible and the Python SDK read _links.self.href; so both are
// always set.
type JobLink struct {
	UUID  string `json:"uuid"`
	Links Links  `json:"_links"`
}

// NewJobLink returns the link to job uuid.
func NewJobLink(uuid string) JobLink {
	return JobLink{UUID: uuid, Links: Links{Self: &Href{Href: JobPath(uuid)}}}
}

// JobPath is the API path of a job.
func JobPath(uuid string) string { return "/api/cluster/jobs/" + uuid }

// JobResponse is the body of a mutation's response: the job link, plus the
// affected records when return_records=true. A query-based PATCH or DELETE
// answers with jobs (one per matched record) instead of job.
type JobResponse[T any] struct {
	NumRecords *int      `json:"num_records,omitempty"`
	Records    []T       `json:"records,omitzero"`
	Job        *JobLink  `json:"job,omitempty"`
	Jobs       []JobLink `json:"jobs,omitzero"`
}

// Collection is the HAL collection envelope. Records is omitted when the
// request said return_records=false.
type Collection[T any] struct {
	Records    []T   `json:"records,omitzero"`
	NumRecords int   `json:"num_records"`
	Links      Links `json:"_links"`
}

// Len is the number of records in the page. The server reads it to give a
// long page a large encoding buffer up front.
func (c Collection[T]) Len() int { return len(c.Records) }

// Version is an ONTAP version: full is "NetApp Release 9.16.1: <date>";
// clients use only generation.major.minor.
type Version struct {
	Full       *string `json:"full,omitempty"`
	Generation *int64  `json:"generation,omitempty"`
	Major      *int64  `json:"major,omitempty"`
	Minor      *int64  `json:"minor,omitempty"`
}

// Cluster is /api/cluster.
type Cluster struct {
	Name                 *string               `json:"name,omitempty"`
	UUID                 *string               `json:"uuid,omitempty" ontap:"ro"`
	Version              *Version              `json:"version,omitempty" ontap:"ro"`
	Location             *string               `json:"location,omitempty"`
	Contact              *string               `json:"contact,omitempty"`
	DNSDomains           []string              `json:"dns_domains,omitempty"`
	NameServers          []string              `json:"name_servers,omitempty"`
	NTPServers           []string              `json:"ntp_servers,omitempty"`
	Timezone             *NamedRef             `json:"timezone,omitempty"`
	ManagementInterfaces []ManagementInterface `json:"management_interfaces,omitempty"`
	SanOptimized         *bool                 `json:"san_optimized,omitempty" ontap:"ro"`
	Disaggregated        *bool                 `json:"disaggregated,omitempty" ontap:"ro"`
	Links                *Links                `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// ClusterSoftware is /api/cluster/software (Ansible's na_ontap_rest_info
// reads it first when gathering everything).
type ClusterSoftware struct {
	Version *string        `json:"version,omitempty" ontap:"ro"`
	State   *string        `json:"state,omitempty" ontap:"ro"`
	Nodes   []SoftwareNode `json:"nodes,omitempty" ontap:"ro"`
	Links   *Links         `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// SoftwareNode is one node's release in ClusterSoftware.
type SoftwareNode struct {
	Name    *string `json:"name,omitempty"`
	Version *string `json:"version,omitempty"`
}

// ManagementInterface is a cluster or node management LIF reference.
type ManagementInterface struct {
	UUID  *string    `json:"uuid,omitempty"`
	Name  *string    `json:"name,omitempty"`
	IP    *IPAddress `json:"ip,omitempty"`
	Links *Links     `json:"_links,omitempty" ontap:"ro"`
}

// IPAddress is a management interface's address.
type IPAddress struct {
	Address *string `json:"address,omitempty"`
}

// IPInfo is an interface address.
type IPInfo struct {
	Address *string `json:"address,omitempty"`
	Netmask *string `json:"netmask,omitempty"`
	Family  *string `json:"family,omitempty"`
}

// Node is /api/cluster/nodes/{uuid}.
type Node struct {
	UUID                 *string               `json:"uuid,omitempty" ontap:"key,ro"`
	Name                 *string               `json:"name,omitempty" ontap:"key"`
	SerialNumber         *string               `json:"serial_number,omitempty"`
	SystemID             *string               `json:"system_id,omitempty"`
	Model                *string               `json:"model,omitempty"`
	Location             *string               `json:"location,omitempty"`
	Membership           *string               `json:"membership,omitempty"`
	State                *string               `json:"state,omitempty"`
	Version              *Version              `json:"version,omitempty"`
	ManagementInterfaces []ManagementInterface `json:"management_interfaces,omitempty"`
	Links                *Links                `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// SVMProtocol is the enabled/allowed state of one protocol on an SVM.
type SVMProtocol struct {
	Enabled *bool `json:"enabled,omitempty"`
	Allowed *bool `json:"allowed,omitempty"`
}

// SVM is /api/svm/svms/{uuid}.
type SVM struct {
	UUID           *string      `json:"uuid,omitempty" ontap:"key,ro"`
	Name           *string      `json:"name,omitempty" ontap:"key"`
	State          *string      `json:"state,omitempty"`
	Subtype        *string      `json:"subtype,omitempty"`
	Language       *string      `json:"language,omitempty"`
	Comment        *string      `json:"comment,omitempty"`
	Aggregates     []Ref        `json:"aggregates,omitempty"`
	IPSpace        *Ref         `json:"ipspace,omitempty"`
	SnapshotPolicy *Ref         `json:"snapshot_policy,omitempty"`
	MaxVolumes     *string      `json:"max_volumes,omitempty"`
	NFS            *SVMProtocol `json:"nfs,omitempty"`
	CIFS           *SVMProtocol `json:"cifs,omitempty"`
	ISCSI          *SVMProtocol `json:"iscsi,omitempty"`
	FCP            *SVMProtocol `json:"fcp,omitempty"`
	NVMe           *SVMProtocol `json:"nvme,omitempty"`
	Links          *Links       `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// Aggregate is /api/storage/aggregates/{uuid}.
type Aggregate struct {
	UUID         *string                `json:"uuid,omitempty" ontap:"key,ro"`
	Name         *string                `json:"name,omitempty" ontap:"key"`
	Node         *Ref                   `json:"node,omitempty"`
	State        *string                `json:"state,omitempty"`
	BlockStorage *AggregateBlockStorage `json:"block_storage,omitempty"`
	Space        *AggregateSpace        `json:"space,omitempty"`
	Links        *Links                 `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// AggregateBlockStorage describes an aggregate's disks.
type AggregateBlockStorage struct {
	Primary *AggregatePrimary `json:"primary,omitempty"`
}

// AggregatePrimary is the primary tier of an aggregate.
type AggregatePrimary struct {
	DiskType  *string `json:"disk_type,omitempty"`
	DiskClass *string `json:"disk_class,omitempty"`
	RAIDType  *string `json:"raid_type,omitempty"`
}

// AggregateSpace is an aggregate's space accounting.
type AggregateSpace struct {
	BlockStorage *SpaceBlockStorage `json:"block_storage,omitempty"`
	Footprint    *int64             `json:"footprint,omitempty"`
}

// SpaceBlockStorage is size/used/available in bytes.
type SpaceBlockStorage struct {
	Size      *int64 `json:"size,omitempty"`
	Available *int64 `json:"available,omitempty"`
	Used      *int64 `json:"used,omitempty"`
}

// IPInterface is /api/network/ip/interfaces/{uuid}.
type IPInterface struct {
	UUID     *string            `json:"uuid,omitempty" ontap:"key,ro"`
	Name     *string            `json:"name,omitempty" ontap:"key"`
	IP       *IPInfo            `json:"ip,omitempty"`
	State    *string            `json:"state,omitempty"`
	Enabled  *bool              `json:"enabled,omitempty"`
	Scope    *string            `json:"scope,omitempty"`
	Services []string           `json:"services,omitempty"`
	SVM      *Ref               `json:"svm,omitempty"`
	Location *InterfaceLocation `json:"location,omitempty"`
	Links    *Links             `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// InterfaceLocation places a LIF on a node.
type InterfaceLocation struct {
	Node     *Ref `json:"node,omitempty"`
	HomeNode *Ref `json:"home_node,omitempty"`
}

// License is /api/cluster/licensing/licenses/{name}: a license package.
type License struct {
	Name     *string        `json:"name,omitempty" ontap:"key"`
	Scope    *string        `json:"scope,omitempty"`
	State    *string        `json:"state,omitempty"`
	Licenses []LicenseEntry `json:"licenses,omitempty"`
	Links    *Links         `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// LicenseEntry is one installed license of a package.
type LicenseEntry struct {
	SerialNumber *string `json:"serial_number,omitempty"`
	Owner        *string `json:"owner,omitempty"`
	Active       *bool   `json:"active,omitempty"`
}

// MarshalJSON encodes the record with its Extra fields merged in.
func (v Volume) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v Volume) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[Volume](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *Volume) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v Snapshot) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v Snapshot) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[Snapshot](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *Snapshot) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v Aggregate) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v Aggregate) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[Aggregate](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *Aggregate) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v Cluster) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v Cluster) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[Cluster](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *Cluster) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v Node) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v Node) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[Node](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *Node) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v SVM) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v SVM) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[SVM](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *SVM) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v IPInterface) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v IPInterface) AppendJSON(b []byte) []byte {
	return appendItem(b, SchemaOf[IPInterface](), &v, nil)
}

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *IPInterface) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v Job) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v Job) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[Job](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *Job) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not

// MarshalJSON encodes the record with its Extra fields merged in.
func (v ClusterSoftware) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v ClusterSoftware) AppendJSON(b []byte) []byte {
	return appendItem(b, SchemaOf[ClusterSoftware](), &v, nil)
}

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *ClusterSoftware) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v License) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v License) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[License](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *License) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }
