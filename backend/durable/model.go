package durable

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nessie-go/nessie/backend"
)

// The store's layout. Every record is JSON, so a store can be read with
// any bbolt tool; keys are raw 16-byte UUIDs.
//
//	meta       "format" -> "1", "digest" -> 8 bytes (digest.go)
//	volumes    volume UUID -> volRec
//	snapshots  volume UUID ‖ snapshot UUID -> snapRec
//	kind:NAME  string key -> opaque value (records.go)
var (
	bucketMeta      = []byte("meta")
	bucketVolumes   = []byte("volumes")
	bucketSnapshots = []byte("snapshots")
	keyFormat       = []byte("format")
	formatVersion   = []byte("1")
)

// volRec is a stored volume. The model holds *volRec values that are never
// changed once published: a write copies the record, changes the copy and
// replaces the pointer, so a reader may keep using what it looked up.
type volRec struct {
	ID         backend.VolumeID    `json:"uuid"`
	Name       string              `json:"name"`
	Size       backend.Size        `json:"size_bytes"`
	State      backend.VolumeState `json:"state"`
	Type       backend.VolumeType  `json:"vol_type"`
	Junction   string              `json:"junction_path,omitempty"`
	Policy     string              `json:"export_policy,omitempty"`
	Comment    string              `json:"comment,omitempty"`
	Created    time.Time           `json:"create_time"`
	OriginVol  backend.VolumeID    `json:"origin_volume,omitzero"`
	OriginSnap backend.SnapshotID  `json:"origin_snapshot,omitzero"`
	Attributes json.RawMessage     `json:"attributes,omitempty"`

	snaps []*snapRec // oldest first; replaced, never changed in place
}

// snapRec is a stored snapshot.
type snapRec struct {
	ID         backend.SnapshotID `json:"uuid"`
	Name       string             `json:"name"`
	Comment    string             `json:"comment,omitempty"`
	Created    time.Time          `json:"create_time"`
	VolumeSize backend.Size       `json:"volume_size"`
	Seq        uint64             `json:"seq"` // orders a volume's snapshots
	Attributes json.RawMessage    `json:"attributes,omitempty"`

	clones int // unsplit clones made from it; derived, not stored
}

func (r *volRec) isClone() bool { return !r.OriginVol.IsZero() }

func (r *volRec) copyRec() *volRec { c := *r; return &c }

func (r *volRec) snapIndex(id backend.SnapshotID) int {
	return slices.IndexFunc(r.snaps, func(s *snapRec) bool { return s.ID == id })
}

func (r *volRec) snapIndexByName(name string) int {
	return slices.IndexFunc(r.snaps, func(s *snapRec) bool { return s.Name == name })
}

func volKey(id backend.VolumeID) []byte { k := id; return k[:] }

func snapKey(vol backend.VolumeID, snap backend.SnapshotID) []byte {
	k := make([]byte, 32)
	copy(k, vol[:])
	copy(k[16:], snap[:])
	return k
}

// putVol, delVol, putSnap and delSnap build store operations.
func putVol(r *volRec) change {
	v, err := json.Marshal(r)
	if err != nil {
		panic(err) // every field marshals
	}
	return change{bucket: bucketVolumes, key: volKey(r.ID), val: v}
}

func delVol(id backend.VolumeID) change { return change{bucket: bucketVolumes, key: volKey(id)} }

func putSnap(vol backend.VolumeID, s *snapRec) change {
	v, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return change{bucket: bucketSnapshots, key: snapKey(vol, s.ID), val: v}
}

func delSnap(vol backend.VolumeID, id backend.SnapshotID) change {
	return change{bucket: bucketSnapshots, key: snapKey(vol, id)}
}

// volume renders r with the parent names current now. Callers hold mu.
func (b *Backend) volume(r *volRec) backend.Volume {
	v := backend.Volume{
		ID:           r.ID,
		Name:         r.Name,
		Size:         r.Size,
		State:        r.State,
		Style:        backend.StyleFlexVol,
		Type:         r.Type,
		JunctionPath: r.Junction,
		ExportPolicy: r.Policy,
		Comment:      r.Comment,
		CreateTime:   r.Created,
	}
	if r.isClone() {
		o := &backend.CloneOrigin{ParentVolumeID: r.OriginVol, ParentSnapshotID: r.OriginSnap}
		if p, ok := b.vols[r.OriginVol]; ok {
			o.ParentVolume = p.Name
			if i := p.snapIndex(r.OriginSnap); i >= 0 {
				o.ParentSnapshot = p.snaps[i].Name
			}
		}
		v.Clone = o
	}
	setVolumeAttributes(&v, r.Attributes)
	return v
}

func (s *snapRec) snapshot() backend.Snapshot {
	out := backend.Snapshot{ID: s.ID, Name: s.Name, CreateTime: s.Created, Comment: s.Comment}
	setSnapshotAttributes(&out, s.Attributes)
	return out
}

// load reads the whole store into the model, creating the buckets of a new
// store. Anything it cannot make sense of is ErrCorrupt.
func (b *Backend) load() (err error) {
	defer func() {
		if r := recover(); r != nil { // bbolt panics on some damaged pages
			err = corrupt(b.path, fmt.Errorf("%v", r))
		}
	}()
	err = b.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if tx.Bucket(bucketVolumes) != nil || tx.Bucket(bucketSnapshots) != nil {
				return corrupt(b.path, fmt.Errorf("bucket %q is missing", bucketMeta))
			}
			for _, name := range [][]byte{bucketMeta, bucketVolumes, bucketSnapshots} {
				if _, err := tx.CreateBucket(name); err != nil {
					return err
				}
			}
			if err := writeDigest(tx.Bucket(bucketMeta), 0); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(keyFormat, formatVersion)
		}
		if f := meta.Get(keyFormat); string(f) != string(formatVersion) {
			return corrupt(b.path, fmt.Errorf("store format %q, this nessie reads format %s", f, formatVersion))
		}
		vb, sb := tx.Bucket(bucketVolumes), tx.Bucket(bucketSnapshots)
		if vb == nil || sb == nil {
			return corrupt(b.path, fmt.Errorf("a bucket is missing"))
		}
		st := &backend.State{}
		byID := map[backend.VolumeID]int{}
		if err := vb.ForEach(func(k, v []byte) error {
			var r volRec
			if err := json.Unmarshal(v, &r); err != nil || len(k) != 16 || string(r.ID[:]) != string(k) {
				return corrupt(b.path, fmt.Errorf("volume record %x: %v", k, err))
			}
			byID[r.ID] = len(st.Volumes)
			st.Volumes = append(st.Volumes, backend.VolumeRecord{Volume: r.toVolume()})
			return nil
		}); err != nil {
			return err
		}
		type seqSnap struct {
			seq uint64
			rec backend.SnapshotRecord
		}
		snaps := map[backend.VolumeID][]seqSnap{}
		seqs := map[backend.SnapshotID]uint64{}
		if err := sb.ForEach(func(k, v []byte) error {
			var s snapRec
			if err := json.Unmarshal(v, &s); err != nil || len(k) != 32 || string(s.ID[:]) != string(k[16:]) {
				return corrupt(b.path, fmt.Errorf("snapshot record %x: %v", k, err))
			}
			vol := backend.VolumeID(k[:16])
			if _, ok := byID[vol]; !ok {
				return corrupt(b.path, fmt.Errorf("snapshot %s belongs to no volume (%s)", s.ID, vol))
			}
			snaps[vol] = append(snaps[vol], seqSnap{s.Seq, s.record()})
			seqs[s.ID] = s.Seq
			if s.Seq > b.seq {
				b.seq = s.Seq
			}
			return nil
		}); err != nil {
			return err
		}
		for vol, ss := range snaps {
			slices.SortFunc(ss, func(a, b seqSnap) int { return cmpU64(a.seq, b.seq) })
			vr := &st.Volumes[byID[vol]]
			for _, s := range ss {
				vr.Snapshots = append(vr.Snapshots, s.rec)
			}
		}
		// Every record, of every bucket, must add up to the digest the
		// last commit left (digest.go); this also reads every page in use.
		d, err := digestAll(tx)
		if err != nil {
			return corrupt(b.path, err)
		}
		if want := readDigest(meta); d != want {
			return corrupt(b.path, fmt.Errorf("the records do not match the store's digest (%016x, want %016x): records were lost or changed", d, want))
		}
		ordered, err := backend.ParentsFirst(st.Volumes)
		if err != nil {
			return corrupt(b.path, err)
		}
		st.Volumes = ordered
		if err := st.Check(); err != nil {
			return corrupt(b.path, err)
		}
		for _, r := range b.install(st) {
			for _, s := range r.snaps {
				s.Seq = seqs[s.ID] // keep the stored order key
			}
		}
		return nil
	})
	return err
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r *volRec) toVolume() backend.Volume {
	v := backend.Volume{
		ID: r.ID, Name: r.Name, Size: r.Size, State: r.State, Style: backend.StyleFlexVol, Type: r.Type,
		JunctionPath: r.Junction, ExportPolicy: r.Policy, Comment: r.Comment, CreateTime: r.Created,
	}
	if r.isClone() {
		v.Clone = &backend.CloneOrigin{ParentVolumeID: r.OriginVol, ParentSnapshotID: r.OriginSnap}
	}
	setVolumeAttributes(&v, r.Attributes)
	return v
}

func (s *snapRec) record() backend.SnapshotRecord {
	snap := s.snapshot()
	return backend.SnapshotRecord{Snapshot: snap, VolumeSize: s.VolumeSize}
}

// install replaces the model with st, which has passed Check and is in
// parents-first order. Callers hold mu (or own b exclusively). It
// returns the records installed, parents first.
func (b *Backend) install(st *backend.State) []*volRec {
	b.vols = make(map[backend.VolumeID]*volRec, len(st.Volumes))
	b.names = make(map[string]backend.VolumeID, len(st.Volumes))
	out := make([]*volRec, 0, len(st.Volumes))
	for i := range st.Volumes {
		vr := &st.Volumes[i]
		v := &vr.Volume
		r := &volRec{
			ID: v.ID, Name: v.Name, Size: v.Size, State: v.State, Type: v.Type,
			Junction: v.JunctionPath, Policy: v.ExportPolicy, Comment: v.Comment,
			Created: v.CreateTime.UTC(), Attributes: volumeAttributes(v),
		}
		if v.Clone != nil {
			r.OriginVol, r.OriginSnap = v.Clone.ParentVolumeID, v.Clone.ParentSnapshotID
			p := b.vols[r.OriginVol] // Check guarantees it exists, earlier
			i := p.snapIndex(r.OriginSnap)
			p.snaps[i].clones++ // p is not published yet: changing it in place is safe
		}
		r.snaps = make([]*snapRec, len(vr.Snapshots))
		for j := range vr.Snapshots {
			s := &vr.Snapshots[j]
			b.seq++
			r.snaps[j] = &snapRec{
				ID: s.Snapshot.ID, Name: s.Snapshot.Name, Comment: s.Snapshot.Comment,
				Created: s.Snapshot.CreateTime.UTC(), VolumeSize: s.VolumeSize, Seq: b.seq,
				Attributes: snapshotAttributes(&s.Snapshot),
			}
		}
		b.vols[r.ID] = r
		b.names[r.Name] = r.ID
		out = append(out, r)
	}
	return out
}

// sortByName orders volumes by name, so exports are stable.
func sortByName(vs []backend.VolumeRecord) {
	slices.SortFunc(vs, func(a, b backend.VolumeRecord) int {
		switch {
		case a.Volume.Name < b.Volume.Name:
			return -1
		case a.Volume.Name > b.Volume.Name:
			return 1
		}
		return 0
	})
}
