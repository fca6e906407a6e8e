package soak

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nessie-go/nessie/reliability/harness"
)

// Ref is an ONTAP reference as the state reader decodes it.
type Ref struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// Volume is a volume of the final state.
type Volume struct {
	UUID    string  `json:"uuid"`
	Name    string  `json:"name"`
	Size    *int64  `json:"size"`
	Comment *string `json:"comment"`
	Clone   *struct {
		IsFlexclone    bool `json:"is_flexclone"`
		ParentVolume   *Ref `json:"parent_volume"`
		ParentSnapshot *Ref `json:"parent_snapshot"`
	} `json:"clone"`
	// Snapshots are the volume's snapshots, as its snapshot collection
	// lists them.
	Snapshots []Snapshot `json:"-"`
}

// IsClone reports whether the server says v is an unsplit clone.
func (v *Volume) IsClone() bool { return v.Clone != nil && v.Clone.IsFlexclone }

// Snapshot is a snapshot of the final state.
type Snapshot struct {
	UUID   string `json:"uuid"`
	Name   string `json:"name"`
	Volume *Ref   `json:"volume"`
}

// State is the whole server state as read through the API.
type State struct {
	Volumes map[string]*Volume // by UUID
}

type page[T any] struct {
	Records    []T `json:"records"`
	NumRecords int `json:"num_records"`
	Links      struct {
		Next *struct {
			Href string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
}

func getJSON(ctx context.Context, tgt *harness.Target, path string, v any) error {
	r, err := tgt.Do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if r.Status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %.300s", path, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("GET %s: %v", path, err)
	}
	return nil
}

// ReadState reads every volume (paging with max_records and following
// _links.next, cross-checked against one unpaged listing) and every
// volume's snapshots. Disagreements between the two listings are
// returned as problems; an error means the state could not be read.
func ReadState(ctx context.Context, tgt *harness.Target) (*State, []string, error) {
	var problems []string
	st := &State{Volumes: map[string]*Volume{}}
	path := "/api/storage/volumes?fields=uuid,name,size,comment,clone&max_records=25"
	for pages := 0; path != ""; pages++ {
		if pages > 100_000 {
			return nil, nil, fmt.Errorf("paging volumes: more than 100,000 pages")
		}
		var p page[*Volume]
		if err := getJSON(ctx, tgt, path, &p); err != nil {
			return nil, nil, err
		}
		if p.NumRecords != len(p.Records) {
			problems = append(problems, fmt.Sprintf("page %s: num_records %d but %d records", path, p.NumRecords, len(p.Records)))
		}
		for _, v := range p.Records {
			if _, dup := st.Volumes[v.UUID]; dup {
				problems = append(problems, fmt.Sprintf("volume %s listed twice while paging", v.UUID))
			}
			st.Volumes[v.UUID] = v
		}
		path = ""
		if p.Links.Next != nil {
			path = p.Links.Next.Href
		}
	}
	var all page[Volume]
	if err := getJSON(ctx, tgt, "/api/storage/volumes?fields=uuid", &all); err != nil {
		return nil, nil, err
	}
	if len(all.Records) != len(st.Volumes) {
		problems = append(problems, fmt.Sprintf("paged listing has %d volumes, unpaged %d", len(st.Volumes), len(all.Records)))
	}
	for _, v := range all.Records {
		if st.Volumes[v.UUID] == nil {
			problems = append(problems, fmt.Sprintf("volume %s missing from the paged listing", v.UUID))
		}
	}
	for _, v := range st.Volumes {
		var sp page[Snapshot]
		if err := getJSON(ctx, tgt, "/api/storage/volumes/"+v.UUID+"/snapshots?fields=uuid,name,volume", &sp); err != nil {
			return nil, nil, err
		}
		v.Snapshots = sp.Records
	}
	return st, problems, nil
}

// Invariants checks the rules every state must satisfy: unique volume
// names, unique snapshot names per volume, snapshots listed under their
// own volume, and every clone's parent volume and snapshot present and
// named as they are now.
func (st *State) Invariants() []string {
	var out []string
	byName := map[string]string{}
	for _, v := range st.sorted() {
		if other, dup := byName[v.Name]; dup {
			out = append(out, fmt.Sprintf("volume name %q held by %s and %s", v.Name, other, v.UUID))
		}
		byName[v.Name] = v.UUID
		snapNames := map[string]bool{}
		for _, s := range v.Snapshots {
			if snapNames[s.Name] {
				out = append(out, fmt.Sprintf("volume %s has two snapshots named %q", v.Name, s.Name))
			}
			snapNames[s.Name] = true
			if s.Volume == nil || s.Volume.UUID != v.UUID || s.Volume.Name != v.Name {
				out = append(out, fmt.Sprintf("snapshot %s listed under %s names volume %+v", s.UUID, v.UUID, s.Volume))
			}
		}
		if !v.IsClone() {
			if v.Clone != nil && (v.Clone.ParentVolume != nil || v.Clone.ParentSnapshot != nil) {
				out = append(out, fmt.Sprintf("volume %s is not a clone but has a parent", v.Name))
			}
			continue
		}
		pv, ps := v.Clone.ParentVolume, v.Clone.ParentSnapshot
		if pv == nil || ps == nil {
			out = append(out, fmt.Sprintf("clone %s lacks its parent volume or snapshot", v.Name))
			continue
		}
		parent := st.Volumes[pv.UUID]
		if parent == nil {
			out = append(out, fmt.Sprintf("clone %s: parent volume %s does not exist", v.Name, pv.UUID))
			continue
		}
		if parent.Name != pv.Name {
			out = append(out, fmt.Sprintf("clone %s: parent named %q, but volume %s is named %q", v.Name, pv.Name, pv.UUID, parent.Name))
		}
		i := slices.IndexFunc(parent.Snapshots, func(s Snapshot) bool { return s.UUID == ps.UUID })
		if i < 0 {
			out = append(out, fmt.Sprintf("clone %s: parent snapshot %s is not on %s", v.Name, ps.UUID, parent.Name))
		} else if parent.Snapshots[i].Name != ps.Name {
			out = append(out, fmt.Sprintf("clone %s: parent snapshot named %q, but it is named %q", v.Name, ps.Name, parent.Snapshots[i].Name))
		}
	}
	return out
}

func (st *State) sorted() []*Volume {
	vs := make([]*Volume, 0, len(st.Volumes))
	for _, v := range st.Volumes {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *Volume) int { return cmp.Compare(a.UUID, b.UUID) })
	return vs
}

// invariantChecker is what in-process backends (backend/mem) offer.
type invariantChecker interface{ CheckInvariants() error }

// verify reads the final state and checks it against the invariants and
// every client's model, adding what it finds to rep's violations.
func verify(ctx context.Context, tgt *harness.Target, clients []*client, rep *Report) {
	start := time.Now()
	defer func() { rep.VerifyTime = time.Since(start) }()
	st, problems, err := ReadState(ctx, tgt)
	if err != nil {
		rep.violation("reading the final state: %v", err)
		return
	}
	rep.FinalVolumes = len(st.Volumes)
	for _, v := range st.Volumes {
		rep.FinalSnapshots += len(v.Snapshots)
		if v.IsClone() {
			rep.FinalClones++
		}
	}
	for _, p := range problems {
		rep.violation("listing: %s", p)
	}
	for _, p := range st.Invariants() {
		rep.violation("invariant: %s", p)
	}
	if ic, ok := tgt.Backend.(invariantChecker); ok {
		if err := ic.CheckInvariants(); err != nil {
			rep.violation("backend invariants: %v", err)
		}
	}

	known := map[string]bool{}     // UUIDs some model accounts for
	uncertain := map[string]bool{} // names of creates with unknown outcome
	for _, c := range clients {
		for _, n := range c.uncertainNames {
			uncertain[n] = true
		}
		for _, mv := range c.vols {
			known[mv.uuid] = true
			if mv.uncertain {
				continue
			}
			rep.verifyVolume(ctx, tgt, st, mv)
		}
	}
	for _, v := range st.sorted() {
		if !known[v.UUID] && !uncertain[v.Name] {
			rep.violation("phantom volume %s (%s): no client created it", v.Name, v.UUID)
		}
	}
	if !rep.Config.VolumesOnly {
		verifyObjects(ctx, tgt, st, clients, rep)
	}
	rep.mu.Lock()
	delSnaps := rep.delSnaps
	rep.mu.Unlock()
	for vol, snaps := range delSnaps {
		v := st.Volumes[vol]
		if v == nil {
			continue
		}
		for _, s := range snaps {
			if slices.ContainsFunc(v.Snapshots, func(x Snapshot) bool { return x.UUID == s }) {
				rep.violation("snapshot %s of %s was deleted (acknowledged) but is listed", s, v.Name)
			}
		}
	}
}

func (rep *Report) verifyVolume(ctx context.Context, tgt *harness.Target, st *State, mv *volume) {
	got := st.Volumes[mv.uuid]
	if mv.deleted {
		if got != nil {
			rep.violation("volume %s (%s) was deleted (acknowledged) but is listed", mv.name, mv.uuid)
		}
		r, err := tgt.Do(ctx, http.MethodGet, "/api/storage/volumes/"+mv.uuid, nil)
		if err != nil {
			rep.violation("GET of deleted volume %s: %v", mv.uuid, err)
		} else if e, err := harness.Envelope(r); err != nil || r.Status != http.StatusNotFound || e.Code != "4" {
			rep.violation("GET of deleted volume %s: status %d, want 404 code 4 (%v)", mv.uuid, r.Status, err)
		}
		return
	}
	if got == nil {
		rep.violation("volume %s (%s) was created (acknowledged) but is not listed", mv.name, mv.uuid)
		return
	}
	if got.Name != mv.name {
		rep.violation("volume %s: name %q, last acknowledged %q", mv.uuid, got.Name, mv.name)
	}
	if gotComment := ptrOr(got.Comment, ""); gotComment != mv.comment {
		rep.violation("volume %s: comment %q, last acknowledged %q", mv.name, gotComment, mv.comment)
	}
	if mv.size >= 0 && (got.Size == nil || *got.Size != mv.size) {
		size := "unset"
		if got.Size != nil {
			size = strconv.FormatInt(*got.Size, 10)
		}
		rep.violation("volume %s: size %s, last acknowledged %d", mv.name, size, mv.size)
	}
	switch {
	case mv.origin == nil && got.IsClone():
		rep.violation("volume %s: a clone, but it was created plain or split", mv.name)
	case mv.origin != nil && !got.IsClone():
		rep.violation("volume %s: not a clone, but it was cloned and never split", mv.name)
	case mv.origin != nil && (got.Clone.ParentVolume == nil || got.Clone.ParentVolume.UUID != mv.origin.vol ||
		got.Clone.ParentSnapshot == nil || got.Clone.ParentSnapshot.UUID != mv.origin.snap):
		rep.violation("clone %s: origin %+v/%+v, created from %s/%s", mv.name, got.Clone.ParentVolume, got.Clone.ParentSnapshot, mv.origin.vol, mv.origin.snap)
	}
	want := make([]string, len(mv.snaps))
	for i, s := range mv.snaps {
		want[i] = s.uuid + "=" + s.name
	}
	have := make([]string, len(got.Snapshots))
	for i, s := range got.Snapshots {
		have[i] = s.UUID + "=" + s.Name
	}
	sort.Strings(want)
	sort.Strings(have)
	if !slices.Equal(want, have) {
		rep.violation("volume %s: snapshots %v, acknowledged %v", mv.name, have, want)
	}
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// ---- summary ----

// OpStats summarises one operation.
type OpStats struct {
	Op            string
	Count         int
	P50, P99, Max time.Duration
	Outcomes      map[string]int64 // "201", "409/524615", "transport_error", ...
}

// Stats returns per-operation figures, sorted by operation, and the
// figures over every request.
func (r *Report) Stats() (per []OpStats, all OpStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var every []time.Duration
	all = OpStats{Op: "all", Outcomes: map[string]int64{}}
	for op, lats := range r.latencies {
		s := OpStats{Op: op, Outcomes: map[string]int64{}}
		fill(&s, lats)
		for k, n := range r.outcomes[op] {
			s.Outcomes[k] = n
			all.Outcomes[k] += n
		}
		per = append(per, s)
		every = append(every, lats...)
	}
	for op, outs := range r.outcomes {
		if _, timed := r.latencies[op]; !timed {
			s := OpStats{Op: op, Outcomes: outs}
			for _, n := range outs {
				s.Count += int(n)
			}
			per = append(per, s)
		}
	}
	fill(&all, every)
	slices.SortFunc(per, func(a, b OpStats) int { return cmp.Compare(a.Op, b.Op) })
	return per, all
}

func fill(s *OpStats, lats []time.Duration) {
	s.Count = len(lats)
	if len(lats) == 0 {
		return
	}
	sorted := slices.Clone(lats)
	slices.Sort(sorted)
	at := func(p float64) time.Duration { return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))] }
	s.P50, s.P99, s.Max = at(0.50), at(0.99), sorted[len(sorted)-1]
}

// Summary renders the report as Markdown, the form RELIABILITY.md keeps.
func (r *Report) Summary() string {
	per, all := r.Stats()
	var b strings.Builder
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(&b, "clients %d, load %v, requests %d (%.0f/s), verify %v\n\n", r.Config.Clients, r.Elapsed.Round(time.Millisecond),
		r.Requests(), float64(r.Requests())/max(secs, 1e-9), r.VerifyTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "final state: %d volumes (%d unsplit clones), %d snapshots\n\n", r.FinalVolumes, r.FinalClones, r.FinalSnapshots)
	fmt.Fprintf(&b, "NAS and SAN: %d export policies, %d qtrees, %d LUNs, %d igroups, %d LUN maps\n\n", r.FinalPolicies, r.FinalQtrees, r.FinalLUNs, r.FinalIgroups, r.FinalMaps)
	fmt.Fprintf(&b, "| operation | requests | p50 | p99 | max | outcomes |\n|---|---:|---:|---:|---:|---|\n")
	for _, s := range append(per, all) {
		keys := make([]string, 0, len(s.Outcomes))
		for k := range s.Outcomes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		outs := make([]string, len(keys))
		for i, k := range keys {
			outs[i] = fmt.Sprintf("%s×%d", k, s.Outcomes[k])
		}
		fmt.Fprintf(&b, "| %s | %d | %v | %v | %v | %s |\n", s.Op, s.Count, s.P50.Round(10*time.Microsecond), s.P99.Round(10*time.Microsecond),
			s.Max.Round(10*time.Microsecond), strings.Join(outs, " "))
	}
	fmt.Fprintf(&b, "\n5xx answers: %d; transport errors: %d; violations: %d\n", len(r.ServerErrors()), len(r.TransportErrors()), len(r.Violations()))
	return b.String()
}
