package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// The client decodes only the fields it asks for, and tolerantly: real ONTAP
// releases differ in small ways (codes as strings or numbers, absent
// expensive fields), and a client must not break on a field it does not use.

// volumeFields is what every volume read asks for. Several of them are
// "expensive" in ONTAP and are returned only when named.
const volumeFields = "uuid,name,size,state,style,type,comment,create_time," +
	"nas.path,nas.export_policy.name,space.used," +
	"clone.is_flexclone,clone.split_initiated," +
	"clone.parent_volume.name,clone.parent_volume.uuid," +
	"clone.parent_snapshot.name,clone.parent_snapshot.uuid"

// snapshotFields is what every snapshot read asks for.
const snapshotFields = "uuid,name,create_time,comment,size"

type wireLink struct {
	Href string `json:"href"`
}

type wireLinks struct {
	Self *wireLink `json:"self,omitempty"`
	Next *wireLink `json:"next,omitempty"`
}

// wireRef is an ONTAP object reference: {name, uuid}.
type wireRef struct {
	Name string `json:"name,omitempty"`
	UUID string `json:"uuid,omitempty"`
}

// collection is ONTAP's list envelope.
type collection[T any] struct {
	Records    []T       `json:"records"`
	NumRecords int       `json:"num_records"`
	Links      wireLinks `json:"_links"`
}

// wireCode is an ONTAP error code. It is a JSON string on the wire, but a
// job's top-level code is an integer, and some releases have sent integers
// where strings were documented; both decode to the decimal text.
type wireCode string

func (c *wireCode) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*c = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = wireCode(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("error code %s is neither a string nor a number", excerpt(b))
		}
		*c = wireCode(n.String())
	}
	return nil
}

// isSet reports whether the code names an error ("" and "0" do not).
func (c wireCode) isSet() bool { return c != "" && c != "0" }

// wireError is the body of ONTAP's error envelope, also embedded in a failed
// job.
type wireError struct {
	Message string   `json:"message"`
	Code    wireCode `json:"code"`
	Target  string   `json:"target"`
}

type errorEnvelope struct {
	Error *wireError `json:"error"`
}

type wireJobLink struct {
	UUID  string    `json:"uuid"`
	Links wireLinks `json:"_links"`
}

// mutationResponse is the body of a POST/PATCH/DELETE answer: a job link
// and, with return_records=true, the created records.
type mutationResponse struct {
	Job     *wireJobLink      `json:"job"`
	Records []json.RawMessage `json:"records"`
}

type wireJob struct {
	UUID    string     `json:"uuid"`
	State   string     `json:"state"`
	Message string     `json:"message"`
	Code    wireCode   `json:"code"`
	Error   *wireError `json:"error"`
}

type wireNAS struct {
	Path         *string  `json:"path"`
	ExportPolicy *wireRef `json:"export_policy"`
}

type wireClone struct {
	IsFlexclone    bool     `json:"is_flexclone"`
	SplitInitiated bool     `json:"split_initiated"`
	ParentVolume   *wireRef `json:"parent_volume"`
	ParentSnapshot *wireRef `json:"parent_snapshot"`
}

type wireSpace struct {
	Used *uint64 `json:"used"`
}

type wireVolume struct {
	UUID       string     `json:"uuid"`
	Name       string     `json:"name"`
	Size       *uint64    `json:"size"`
	State      string     `json:"state"`
	Style      string     `json:"style"`
	Type       string     `json:"type"`
	Comment    string     `json:"comment"`
	CreateTime string     `json:"create_time"`
	NAS        *wireNAS   `json:"nas"`
	Space      *wireSpace `json:"space"`
	Clone      *wireClone `json:"clone"`
}

type wireSnapshot struct {
	UUID       string  `json:"uuid"`
	Name       string  `json:"name"`
	CreateTime string  `json:"create_time"`
	Comment    string  `json:"comment"`
	Size       *uint64 `json:"size"`
}

type wireSVM struct {
	UUID       string    `json:"uuid"`
	Name       string    `json:"name"`
	Aggregates []wireRef `json:"aggregates"`
}

type wireInterface struct {
	State string `json:"state"`
	IP    *struct {
		Address string `json:"address"`
	} `json:"ip"`
}

// toVolume converts a wire volume to the domain type. Any field the
// contract needs that is missing or malformed is an error: a half-decoded
// volume would violate "Get returns what Create returned".
func (w *wireVolume) toVolume() (backend.Volume, error) {
	id, err := backend.ParseVolumeID(w.UUID)
	if err != nil {
		return backend.Volume{}, fmt.Errorf("volume record has a bad uuid: %w", err)
	}
	if w.Name == "" {
		return backend.Volume{}, fmt.Errorf("volume record %s has no name", w.UUID)
	}
	v := backend.Volume{
		ID:      id,
		Name:    w.Name,
		Size:    backend.Unlimited,
		State:   backend.VolumeState(w.State),
		Style:   backend.VolumeStyle(w.Style),
		Type:    backend.VolumeType(w.Type),
		Comment: w.Comment,
	}
	if w.Size != nil {
		v.Size = backend.Bytes(*w.Size)
	}
	if v.CreateTime, err = parseTime(w.CreateTime); err != nil {
		return backend.Volume{}, fmt.Errorf("volume %s: %w", w.UUID, err)
	}
	if w.NAS != nil {
		if w.NAS.Path != nil {
			v.JunctionPath = *w.NAS.Path
		}
		if w.NAS.ExportPolicy != nil {
			v.ExportPolicy = w.NAS.ExportPolicy.Name
		}
	}
	if w.Space != nil && w.Space.Used != nil {
		v.UsedBytes = *w.Space.Used
	}
	if w.Clone != nil && w.Clone.IsFlexclone {
		origin, err := w.Clone.origin()
		if err != nil {
			return backend.Volume{}, fmt.Errorf("volume %s: %w", w.UUID, err)
		}
		v.Clone = origin
	}
	return v, nil
}

func (c *wireClone) origin() (*backend.CloneOrigin, error) {
	if c.ParentVolume == nil || c.ParentSnapshot == nil {
		return nil, fmt.Errorf("clone record lacks clone.parent_volume or clone.parent_snapshot")
	}
	pv, err := backend.ParseVolumeID(c.ParentVolume.UUID)
	if err != nil {
		return nil, fmt.Errorf("clone.parent_volume: %w", err)
	}
	ps, err := backend.ParseSnapshotID(c.ParentSnapshot.UUID)
	if err != nil {
		return nil, fmt.Errorf("clone.parent_snapshot: %w", err)
	}
	return &backend.CloneOrigin{
		ParentVolume:     c.ParentVolume.Name,
		ParentSnapshot:   c.ParentSnapshot.Name,
		ParentVolumeID:   pv,
		ParentSnapshotID: ps,
	}, nil
}

func (w *wireSnapshot) toSnapshot() (backend.Snapshot, error) {
	id, err := backend.ParseSnapshotID(w.UUID)
	if err != nil {
		return backend.Snapshot{}, fmt.Errorf("snapshot record has a bad uuid: %w", err)
	}
	if w.Name == "" {
		return backend.Snapshot{}, fmt.Errorf("snapshot record %s has no name", w.UUID)
	}
	s := backend.Snapshot{ID: id, Name: w.Name, Comment: w.Comment}
	if s.CreateTime, err = parseTime(w.CreateTime); err != nil {
		return backend.Snapshot{}, fmt.Errorf("snapshot %s: %w", w.UUID, err)
	}
	if w.Size != nil {
		s.SizeConsumed = *w.Size
	}
	return s, nil
}

// parseTime reads an ONTAP date-time (RFC 3339, with offset) and returns it
// in UTC, the contract's zone; "" is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("create_time %q is not an RFC 3339 date-time", s)
	}
	return t.UTC(), nil
}

// excerpt returns at most 256 bytes of a response body for an error message.
func excerpt(b []byte) string {
	const max = 256
	if len(b) <= max {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:max])) + "…"
}
