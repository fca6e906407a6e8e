package soak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/reliability/harness"
)

// Config sizes a soak run.
type Config struct {
	// Duration bounds the load phase; verification follows.
	Duration time.Duration
	// Clients is the number of concurrent clients (1..64 is the range
	// the battery uses; more works).
	Clients int
	// Seed makes the operation mix reproducible per client (timing
	// still varies). 0 picks one from the clock.
	Seed uint64
	// MaxVolumes caps the volumes one client keeps (default 8), so the
	// state and the listings stay bounded however long the run.
	MaxVolumes int
	// MaxSnapshots caps the snapshots per volume (default 5).
	MaxSnapshots int
	// MinPerOperation extends the load phase past Duration until every
	// operation of the mix has run at least this often, so a slow or
	// busy machine still exercises the whole mix; MaxDuration (default
	// 20 × Duration) bounds the extension. 0 means no extension.
	MinPerOperation int
	MaxDuration     time.Duration
	// AsyncShare is the fraction of mutations sent without
	// return_timeout, answered 202 and followed by job polling (default
	// 0.25); the rest wait for the job with return_timeout.
	AsyncShare float64
	// VolumesOnly leaves the NAS and SAN objects (export policies,
	// qtrees, LUNs, igroups, maps) out of the mix and the verification.
	// The crash battery sets it (see there why).
	VolumesOnly bool
}

// ops is the mix of cfg.
func (c *Config) ops() []mixOp {
	if !c.VolumesOnly {
		return mix
	}
	return slices.DeleteFunc(slices.Clone(mix), func(m mixOp) bool { return objectOps[m.op] })
}

func (c *Config) defaults() {
	if c.Clients <= 0 {
		c.Clients = 8
	}
	if c.MaxVolumes <= 0 {
		c.MaxVolumes = 8
	}
	if c.MaxSnapshots <= 0 {
		c.MaxSnapshots = 5
	}
	if c.AsyncShare == 0 {
		c.AsyncShare = 0.25
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
}

// The operations of the mix.
const (
	opCreateVolume   = "create_volume"
	opDuplicate      = "create_duplicate"
	opGetVolume      = "get_volume"
	opListVolumes    = "list_volumes"
	opPatchVolume    = "patch_volume"
	opRenameVolume   = "rename_volume"
	opDeleteVolume   = "delete_volume"
	opCreateSnapshot = "create_snapshot"
	opListSnapshots  = "list_snapshots"
	opDeleteSnapshot = "delete_snapshot"
	opClone          = "clone"
	opSplit          = "split"
	opRestore        = "restore"
	opGetJob         = "get_job"
)

// mixOp is an operation of the mix and its weight.
type mixOp struct {
	op     string
	weight int
}

// mix is the weight of each operation.
var mix = []mixOp{
	{opCreateVolume, 12}, {opDuplicate, 2}, {opGetVolume, 10}, {opListVolumes, 5}, {opPatchVolume, 7},
	{opRenameVolume, 3}, {opDeleteVolume, 7}, {opCreateSnapshot, 14}, {opListSnapshots, 6},
	{opDeleteSnapshot, 7}, {opClone, 10}, {opSplit, 5}, {opRestore, 6}, {opGetJob, 3},
	{opCreatePolicy, 3}, {opModifyPolicy, 4}, {opDeletePolicy, 2},
	{opCreateQtree, 4}, {opPatchQtree, 3}, {opDeleteQtree, 2},
	{opCreateLUN, 4}, {opPatchLUN, 3}, {opDeleteLUN, 2},
	{opCreateIgroup, 2}, {opDeleteIgroup, 1}, {opMapLUN, 3}, {opUnmapLUN, 2},
}

// Run drives cfg.Clients clients against tgt for cfg.Duration (or until
// ctx is done) and then verifies the final state. It returns the report;
// the error is for failures to run at all. Findings (5xx answers,
// transport errors, invariant and model violations) are in the report.
func Run(ctx context.Context, tgt *harness.Target, cfg Config) (*Report, error) {
	cfg.defaults()
	if cfg.Duration <= 0 {
		return nil, errors.New("soak: Duration must be positive")
	}
	rep := newReport(cfg)
	reg := &registry{snaps: map[string]published{}}
	clients := make([]*client, cfg.Clients)
	for i := range clients {
		clients[i] = &client{
			id:   i,
			tgt:  tgt,
			cfg:  cfg,
			rng:  rand.New(rand.NewPCG(cfg.Seed, uint64(i))),
			reg:  reg,
			rep:  rep,
			vols: map[string]*volume{},
		}
	}
	maxDur := cfg.Duration
	if cfg.MinPerOperation > 0 {
		maxDur = cfg.MaxDuration
		if maxDur < cfg.Duration {
			maxDur = 20 * cfg.Duration
		}
	}
	loadCtx, cancel := context.WithTimeout(ctx, maxDur)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { c.loop(loadCtx) })
	}
	if cfg.MinPerOperation > 0 {
		wg.Go(func() {
			t := time.NewTimer(cfg.Duration)
			defer t.Stop()
			tick := time.NewTicker(cfg.Duration / 10)
			defer tick.Stop()
			select {
			case <-t.C:
			case <-loadCtx.Done():
				return
			}
			for !rep.ranEvery(cfg.MinPerOperation) {
				select {
				case <-tick.C:
				case <-loadCtx.Done():
					return
				}
			}
			cancel()
		})
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	vctx, vcancel := context.WithTimeout(ctx, 5*time.Minute)
	defer vcancel()
	verify(vctx, tgt, clients, rep)
	return rep, nil
}

// ---- model ----

type snapshot struct {
	uuid, name string
	size       int64 // the volume's size when taken; -1 unknown
	// luns is what the volume's LUNs were when it was taken: a restore
	// makes them the volume's again (LUNs made since are gone).
	luns map[*lun]lunAt
}

type origin struct{ vol, snap string }

type volume struct {
	uuid, name string
	size       int64 // -1 unknown
	comment    string
	snaps      []snapshot // creation order
	origin     *origin
	uncertain  bool // an answer left its state unknown
	deleted    bool
	// cloned: made as a FlexClone (split or not), so it also holds
	// copies of its parent's LUNs, which no model tracks.
	cloned bool
	qtrees []*qtree // creation order
	luns   []*lun
}

// published is a snapshot other clients may clone.
type published struct {
	vol string
}

// registry is the shared list of snapshots open for cloning.
type registry struct {
	mu    sync.Mutex
	snaps map[string]published // snapshot UUID -> volume
	keys  []string
}

func (r *registry) publish(vol, snap string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.snaps[snap]; !ok {
		r.snaps[snap] = published{vol: vol}
		r.keys = append(r.keys, snap)
	}
}

func (r *registry) unpublish(snap string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.snaps, snap)
}

func (r *registry) pick(rng *rand.Rand) (vol, snap string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range 8 {
		if len(r.keys) == 0 {
			return "", "", false
		}
		i := rng.IntN(len(r.keys))
		k := r.keys[i]
		if p, live := r.snaps[k]; live {
			return p.vol, k, true
		}
		// Lazily drop unpublished keys.
		r.keys[i] = r.keys[len(r.keys)-1]
		r.keys = r.keys[:len(r.keys)-1]
	}
	return "", "", false
}

// client is one load generator with the model of the volumes it owns.
type client struct {
	id   int
	tgt  *harness.Target
	cfg  Config
	rng  *rand.Rand
	reg  *registry
	rep  *Report
	seq  int
	vols map[string]*volume // by UUID, live and deleted
	// uncertainNames are names of creates whose outcome is unknown.
	uncertainNames []string
	jobs           []string // recent job UUIDs
	policies       []*policy
	igroups        []*igroup
}

func (c *client) loop(ctx context.Context) {
	ops := c.cfg.ops()
	total := 0
	for _, m := range ops {
		total += m.weight
	}
	for ctx.Err() == nil {
		n := c.rng.IntN(total)
		for _, m := range ops {
			if n < m.weight {
				// The end of the load phase is checked between
				// operations, never inside one: an operation cut short
				// would leave its outcome unknown.
				opCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
				c.do(opCtx, m.op)
				cancel()
				break
			}
			n -= m.weight
		}
	}
}

func (c *client) live() []*volume {
	var out []*volume
	for _, v := range c.vols {
		if !v.deleted && !v.uncertain {
			out = append(out, v)
		}
	}
	// Map order is random but not seeded: sort for reproducibility.
	sortVolumes(out)
	return out
}

func sortVolumes(vs []*volume) {
	slices.SortFunc(vs, func(a, b *volume) int { return strings.Compare(a.uuid, b.uuid) })
}

func (c *client) pickLive(filter func(*volume) bool) *volume {
	var cands []*volume
	for _, v := range c.live() {
		if filter == nil || filter(v) {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[c.rng.IntN(len(cands))]
}

func (c *client) name(kind string) string {
	c.seq++
	return fmt.Sprintf("soak_c%02d_%s%d", c.id, kind, c.seq)
}

// do runs one operation, falling back to a create when its
// precondition does not hold.
func (c *client) do(ctx context.Context, op string) {
	liveCount := len(c.live())
	switch op {
	case opCreateVolume:
		if liveCount >= c.cfg.MaxVolumes {
			c.deleteVolume(ctx)
			return
		}
		c.createVolume(ctx)
	case opDuplicate:
		c.duplicate(ctx)
	case opGetVolume:
		c.getVolume(ctx)
	case opListVolumes:
		c.listVolumes(ctx)
	case opPatchVolume:
		c.patchVolume(ctx)
	case opRenameVolume:
		c.renameVolume(ctx)
	case opDeleteVolume:
		c.deleteVolume(ctx)
	case opCreateSnapshot:
		c.createSnapshot(ctx)
	case opListSnapshots:
		c.listSnapshots(ctx)
	case opDeleteSnapshot:
		c.deleteSnapshot(ctx)
	case opClone:
		if liveCount >= c.cfg.MaxVolumes {
			c.deleteVolume(ctx)
			return
		}
		c.clone(ctx)
	case opSplit:
		c.split(ctx)
	case opRestore:
		c.restore(ctx)
	case opGetJob:
		c.getJob(ctx)
	case opCreatePolicy:
		c.createPolicy(ctx)
	case opModifyPolicy:
		c.modifyPolicy(ctx)
	case opDeletePolicy:
		c.deletePolicy(ctx)
	case opCreateQtree:
		c.createQtree(ctx)
	case opPatchQtree:
		c.patchQtree(ctx)
	case opDeleteQtree:
		c.deleteQtree(ctx)
	case opCreateLUN:
		c.createLUN(ctx)
	case opPatchLUN:
		c.patchLUN(ctx)
	case opDeleteLUN:
		c.deleteLUN(ctx)
	case opCreateIgroup:
		c.createIgroup(ctx)
	case opDeleteIgroup:
		c.deleteIgroup(ctx)
	case opMapLUN:
		c.mapLUN(ctx)
	case opUnmapLUN:
		c.unmapLUN(ctx)
	}
}

// ---- requests ----

// answer is the outcome of one operation.
type answer struct {
	status int    // final HTTP status (of the request, or 200/4xx from the job)
	code   string // ONTAP error code on failure
	body   []byte
	job    string // job UUID, if any
	// unknown: the effect is unknown (5xx, transport error, job not
	// finished in time).
	unknown bool
}

func (a answer) ok() bool { return !a.unknown && a.status >= 200 && a.status < 300 }

// request sends one request and records it under op.
func (c *client) request(ctx context.Context, op, method, path string, body any) answer {
	start := time.Now()
	r, err := c.tgt.Do(ctx, method, path, body)
	lat := time.Since(start)
	if err != nil {
		c.rep.transportError(op, method+" "+path+": "+err.Error())
		c.rep.record(op, "transport_error", lat, false)
		return answer{unknown: true}
	}
	a := answer{status: r.Status, body: r.Body}
	if r.Status >= 500 {
		c.rep.serverError(op, fmt.Sprintf("%s %s: %d %.300s", method, path, r.Status, r.Body))
		a.unknown = true
	} else if r.Status >= 400 {
		if e, err := harness.Envelope(r); err == nil {
			a.code = e.Code
		} else {
			c.rep.violation("%s %s: malformed error answer: %v", method, path, err)
		}
	}
	var jl struct {
		Job *struct {
			UUID string `json:"uuid"`
		} `json:"job"`
	}
	if r.Status < 300 && json.Unmarshal(r.Body, &jl) == nil && jl.Job != nil {
		a.job = jl.Job.UUID
		c.rememberJob(a.job)
	}
	c.rep.record(op, outcomeKey(a), lat, true)
	return a
}

func outcomeKey(a answer) string {
	if a.code != "" {
		return strconv.Itoa(a.status) + "/" + a.code
	}
	return strconv.Itoa(a.status)
}

func (c *client) rememberJob(id string) {
	if len(c.jobs) >= 16 {
		c.jobs = c.jobs[1:]
	}
	c.jobs = append(c.jobs, id)
}

// mutate sends a mutation either synchronously (return_timeout) or
// asynchronously (202, then the job is polled to its end). Both yield
// the job's outcome.
func (c *client) mutate(ctx context.Context, op, method, path string, body any, records bool) answer {
	q := "return_timeout=30"
	async := c.rng.Float64() < c.cfg.AsyncShare
	if async {
		q = "return_timeout=0"
	}
	if records {
		q += "&return_records=true"
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	a := c.request(ctx, op, method, path+sep+q, body)
	if a.unknown || a.status != http.StatusAccepted {
		return a
	}
	// 202: asked for, or the job outlived return_timeout.
	return c.awaitJob(ctx, op, a)
}

// awaitJob polls a job until it is terminal and turns it into an answer.
func (c *client) awaitJob(ctx context.Context, op string, a answer) answer {
	if a.job == "" {
		c.rep.violation("%s: 202 without a job link: %.200s", op, a.body)
		return answer{unknown: true}
	}
	pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for delay := time.Millisecond; ; delay = min(delay*2, 200*time.Millisecond) {
		r := c.request(pctx, opGetJob, http.MethodGet, "/api/cluster/jobs/"+a.job+"?fields=state,code,message,error", nil)
		if r.unknown {
			return r
		}
		if r.status != http.StatusOK {
			c.rep.violation("%s: job %s of an acknowledged request answered %d %.200s", op, a.job, r.status, r.body)
			return answer{unknown: true}
		}
		var j struct {
			State string `json:"state"`
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(r.body, &j); err != nil {
			c.rep.violation("%s: job %s: %v", op, a.job, err)
			return answer{unknown: true}
		}
		switch j.State {
		case "success":
			return answer{status: http.StatusOK, body: a.body, job: a.job}
		case "failure":
			code := ""
			if j.Error != nil {
				code = j.Error.Code
			}
			if code == "" {
				c.rep.violation("%s: job %s failed without an error code: %.200s", op, a.job, r.body)
			}
			return answer{status: jobFailureStatus, code: code, job: a.job}
		}
		select {
		case <-pctx.Done():
			c.rep.violation("%s: job %s still %q after 60s", op, a.job, j.State)
			return answer{unknown: true}
		case <-time.After(delay):
		}
	}
}

// jobFailureStatus stands for "the job failed" in answers, whose status
// is otherwise HTTP's.
const jobFailureStatus = 499

func (a answer) failed(codes ...int) bool {
	if a.unknown || a.status < 400 {
		return false
	}
	for _, c := range codes {
		if a.code == strconv.Itoa(c) {
			return true
		}
	}
	return false
}

// firstRecord decodes the first record of a return_records answer.
func firstRecord(body []byte) (map[string]any, bool) {
	var r struct {
		Records []map[string]any `json:"records"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Records) == 0 {
		return nil, false
	}
	return r.Records[0], true
}

// lookup finds an object by name in a collection (after an async create,
// whose answer carries no UUID).
func (c *client) lookup(ctx context.Context, op, collection, name string) (map[string]any, bool) {
	a := c.request(ctx, op, http.MethodGet, collection+"?fields=**&name="+url.QueryEscape(name), nil)
	if !a.ok() {
		return nil, false
	}
	rec, ok := firstRecord(a.body)
	return rec, ok
}

// ---- operations ----

func (c *client) createVolume(ctx context.Context) {
	name := c.name("v")
	size := int64(c.rng.IntN(64)+1) << 26 // 64 MiB .. 4 GiB
	comment := fmt.Sprintf("c%d", c.rng.IntN(1000))
	body := map[string]any{"name": name, "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}},
		"size": size, "comment": comment}
	a := c.mutate(ctx, opCreateVolume, http.MethodPost, "/api/storage/volumes", body, true)
	c.adoptCreated(ctx, opCreateVolume, a, name, &volume{name: name, size: size, comment: comment})
}

// adoptCreated records a created volume (plain or clone) in the model.
func (c *client) adoptCreated(ctx context.Context, op string, a answer, name string, v *volume) {
	switch {
	case a.unknown:
		c.uncertainNames = append(c.uncertainNames, name)
		return
	case !a.ok():
		if op == opCreateVolume {
			c.rep.violation("%s %s: refused %d %s", op, name, a.status, a.code)
		}
		return
	}
	rec, ok := firstRecord(a.body)
	if !ok || jsonpath.String(rec, "uuid") == "" {
		// Async: the 202 echoed the request; find the volume by name,
		// which also proves the acknowledged create is visible.
		rec, ok = c.lookup(ctx, op, "/api/storage/volumes", name)
		if !ok {
			c.rep.violation("%s %s: acknowledged, but not found by name", op, name)
			c.uncertainNames = append(c.uncertainNames, name)
			return
		}
	}
	v.uuid = jsonpath.String(rec, "uuid")
	if v.size < 0 {
		if n, ok := jsonpath.Int(rec, "size"); ok {
			v.size = n
		}
	}
	c.vols[v.uuid] = v
}

func (c *client) duplicate(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	body := map[string]any{"name": v.name, "svm.name": "svm0", "aggregates.name": "aggr1"}
	a := c.mutate(ctx, opDuplicate, http.MethodPost, "/api/storage/volumes", body, false)
	if a.ok() {
		c.rep.violation("create of the existing name %s succeeded", v.name)
	} else if !a.unknown && !a.failed(917526) {
		c.rep.violation("duplicate create %s: %d %s, want 917526", v.name, a.status, a.code)
	}
}

func (c *client) getVolume(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	a := c.request(ctx, opGetVolume, http.MethodGet, "/api/storage/volumes/"+v.uuid+"?fields=name,size,comment", nil)
	if a.unknown {
		return
	}
	if a.status != http.StatusOK {
		c.rep.violation("GET of live volume %s (%s): %d %s", v.uuid, v.name, a.status, a.code)
		return
	}
	var rec map[string]any
	_ = json.Unmarshal(a.body, &rec)
	if got := jsonpath.String(rec, "name"); got != v.name {
		c.rep.violation("volume %s: name %q, model %q", v.uuid, got, v.name)
	}
}

func (c *client) listVolumes(ctx context.Context) {
	q := fmt.Sprintf("/api/storage/volumes?name=soak_c%02d_*&fields=name,size,clone.is_flexclone", c.id)
	if c.rng.IntN(2) == 0 {
		q = "/api/storage/volumes?max_records=20&order_by=name&fields=name,state"
	}
	c.request(ctx, opListVolumes, http.MethodGet, q, nil)
}

func (c *client) patchVolume(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	body := map[string]any{}
	newSize, newComment := v.size, v.comment
	if c.rng.IntN(2) == 0 {
		newSize = int64(c.rng.IntN(64)+1) << 26
		body["size"] = newSize
	}
	if len(body) == 0 || c.rng.IntN(2) == 0 {
		newComment = fmt.Sprintf("p%d", c.rng.IntN(1000))
		body["comment"] = newComment
	}
	a := c.mutate(ctx, opPatchVolume, http.MethodPatch, "/api/storage/volumes/"+v.uuid, body, false)
	switch {
	case a.unknown:
		v.uncertain = true
	case a.ok():
		v.size, v.comment = newSize, newComment
	default:
		c.rep.violation("PATCH of own volume %s: %d %s", v.name, a.status, a.code)
	}
}

func (c *client) renameVolume(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	name := c.name("r")
	a := c.mutate(ctx, opRenameVolume, http.MethodPatch, "/api/storage/volumes/"+v.uuid, map[string]any{"name": name}, false)
	switch {
	case a.unknown:
		v.uncertain = true
		c.uncertainNames = append(c.uncertainNames, name)
	case a.ok():
		v.name = name
	default:
		c.rep.violation("rename of own volume %s: %d %s", v.name, a.status, a.code)
	}
}

func (c *client) deleteVolume(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	a := c.mutate(ctx, opDeleteVolume, http.MethodDelete, "/api/storage/volumes/"+v.uuid, nil, false)
	switch {
	case a.unknown:
		v.uncertain = true
		c.unpublishAll(v)
	case a.ok():
		v.deleted = true
		c.unpublishAll(v)
	case a.failed(524615):
		// Another client's clone depends on one of its snapshots.
	default:
		c.rep.violation("DELETE of own volume %s: %d %s", v.name, a.status, a.code)
	}
}

func (c *client) unpublishAll(v *volume) {
	for _, s := range v.snaps {
		c.reg.unpublish(s.uuid)
	}
}

func (c *client) createSnapshot(ctx context.Context) {
	v := c.pickLive(func(v *volume) bool { return len(v.snaps) < c.cfg.MaxSnapshots })
	if v == nil {
		if len(c.live()) == 0 {
			c.createVolume(ctx)
		} else {
			c.deleteSnapshot(ctx) // every volume is full, so one has a snapshot
		}
		return
	}
	name := c.name("s")
	a := c.mutate(ctx, opCreateSnapshot, http.MethodPost, "/api/storage/volumes/"+v.uuid+"/snapshots", map[string]any{"name": name}, true)
	switch {
	case a.unknown:
		v.uncertain = true
		return
	case !a.ok():
		c.rep.violation("snapshot of own volume %s: %d %s", v.name, a.status, a.code)
		return
	}
	rec, ok := firstRecord(a.body)
	if !ok || jsonpath.String(rec, "uuid") == "" {
		rec, ok = c.lookup(ctx, opCreateSnapshot, "/api/storage/volumes/"+v.uuid+"/snapshots", name)
		if !ok {
			c.rep.violation("snapshot %s of %s: acknowledged, but not found by name", name, v.name)
			v.uncertain = true
			return
		}
	}
	s := snapshot{uuid: jsonpath.String(rec, "uuid"), name: name, size: v.size, luns: lunsNow(v)}
	v.snaps = append(v.snaps, s)
	c.reg.publish(v.uuid, s.uuid)
}

func (c *client) listSnapshots(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	a := c.request(ctx, opListSnapshots, http.MethodGet, "/api/storage/volumes/"+v.uuid+"/snapshots?fields=name,create_time", nil)
	if !a.unknown && a.status != http.StatusOK {
		c.rep.violation("snapshots of live volume %s: %d %s", v.name, a.status, a.code)
	}
}

func (c *client) deleteSnapshot(ctx context.Context) {
	v := c.pickLive(func(v *volume) bool { return len(v.snaps) > 0 })
	if v == nil {
		if len(c.live()) == 0 {
			c.createVolume(ctx)
		} else {
			c.createSnapshot(ctx) // no volume has a snapshot, so one has room
		}
		return
	}
	i := c.rng.IntN(len(v.snaps))
	s := v.snaps[i]
	a := c.mutate(ctx, opDeleteSnapshot, http.MethodDelete, "/api/storage/volumes/"+v.uuid+"/snapshots/"+s.uuid, nil, false)
	switch {
	case a.unknown:
		v.uncertain = true
		c.reg.unpublish(s.uuid)
	case a.ok():
		v.snaps = append(v.snaps[:i:i], v.snaps[i+1:]...)
		c.reg.unpublish(s.uuid)
		c.rep.deletedSnapshot(v.uuid, s.uuid)
	case a.failed(1638555):
		// A clone depends on it.
	default:
		c.rep.violation("DELETE of own snapshot %s on %s: %d %s", s.name, v.name, a.status, a.code)
	}
}

func (c *client) clone(ctx context.Context) {
	pv, ps, ok := c.reg.pick(c.rng)
	if !ok {
		c.createSnapshot(ctx)
		return
	}
	name := c.name("k")
	body := map[string]any{"name": name, "svm": map[string]any{"name": "svm0"}, "clone": map[string]any{
		"is_flexclone": true, "parent_volume": map[string]any{"uuid": pv}, "parent_snapshot": map[string]any{"uuid": ps}}}
	a := c.mutate(ctx, opClone, http.MethodPost, "/api/storage/volumes", body, true)
	if !a.unknown && !a.ok() {
		// The parent or its snapshot went away meanwhile: 404 (524601
		// for the volume, 4 for the snapshot).
		if !a.failed(4, 524601) {
			c.rep.violation("clone %s of %s/%s: %d %s", name, pv, ps, a.status, a.code)
		}
		return
	}
	c.adoptCreated(ctx, opClone, a, name, &volume{name: name, size: -1, origin: &origin{vol: pv, snap: ps}, cloned: true})
}

func (c *client) split(ctx context.Context) {
	v := c.pickLive(func(v *volume) bool { return v.origin != nil })
	if v == nil {
		c.clone(ctx)
		return
	}
	a := c.mutate(ctx, opSplit, http.MethodPatch, "/api/storage/volumes/"+v.uuid, map[string]any{"clone": map[string]any{"split_initiated": true}}, false)
	switch {
	case a.unknown:
		v.uncertain = true
	case a.ok():
		v.origin = nil
	default:
		c.rep.violation("split of own clone %s: %d %s", v.name, a.status, a.code)
	}
}

func (c *client) restore(ctx context.Context) {
	v := c.pickLive(func(v *volume) bool { return len(v.snaps) > 0 })
	if v == nil {
		c.createSnapshot(ctx)
		return
	}
	i := c.rng.IntN(len(v.snaps))
	s := v.snaps[i]
	path := "/api/storage/volumes/" + v.uuid
	var body any
	if c.rng.IntN(2) == 0 {
		path += "?restore_to.snapshot.uuid=" + s.uuid
	} else {
		body = map[string]any{"restore_to": map[string]any{"snapshot": map[string]any{"name": s.name}}}
	}
	a := c.mutate(ctx, opRestore, http.MethodPatch, path, body, false)
	switch {
	case a.unknown:
		v.uncertain = true
		c.unpublishAll(v)
	case a.ok():
		for _, newer := range v.snaps[i+1:] {
			c.reg.unpublish(newer.uuid)
			c.rep.deletedSnapshot(v.uuid, newer.uuid)
		}
		v.snaps = v.snaps[:i+1]
		// ONTAP never shrinks a FlexVol in a restore: the larger size.
		if v.size < 0 || s.size < 0 {
			v.size = -1
		} else {
			v.size = max(v.size, s.size)
		}
		restoreLUNs(v, s)
	case a.failed(524511):
		// A newer snapshot backs a clone.
	default:
		c.rep.violation("restore of own %s to %s: %d %s", v.name, s.name, a.status, a.code)
	}
}

func (c *client) getJob(ctx context.Context) {
	if len(c.jobs) == 0 {
		c.createVolume(ctx)
		return
	}
	j := c.jobs[c.rng.IntN(len(c.jobs))]
	a := c.request(ctx, opGetJob, http.MethodGet, "/api/cluster/jobs/"+j, nil)
	if !a.unknown && a.status != http.StatusOK {
		c.rep.violation("GET of recent job %s: %d %s", j, a.status, a.code)
	}
}

// ---- report ----

// Report is what a soak run measured and found.
type Report struct {
	// Config is the run's configuration, defaults filled in.
	Config Config
	// Elapsed is the length of the load phase; VerifyTime that of the
	// verification.
	Elapsed, VerifyTime time.Duration
	// FinalVolumes, FinalClones and FinalSnapshots count the final state.
	FinalVolumes, FinalClones, FinalSnapshots int
	// FinalPolicies, FinalQtrees (the default qtrees not counted),
	// FinalLUNs, FinalIgroups and FinalMaps count the NAS and SAN objects.
	FinalPolicies, FinalQtrees, FinalLUNs, FinalIgroups, FinalMaps int

	mu         sync.Mutex
	ops        atomic.Int64
	latencies  map[string][]time.Duration // by operation
	outcomes   map[string]map[string]int64
	errors5xx  []string
	transport  []string
	violations []string
	delSnaps   map[string][]string // volume UUID -> acknowledged-deleted snapshots
}

func newReport(cfg Config) *Report {
	return &Report{Config: cfg, latencies: map[string][]time.Duration{}, outcomes: map[string]map[string]int64{}, delSnaps: map[string][]string{}}
}

// ranEvery reports whether every operation of the mix has run at least n
// times.
func (r *Report) ranEvery(n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.Config.ops() {
		var c int64
		for _, k := range r.outcomes[m.op] {
			c += k
		}
		if c < int64(n) {
			return false
		}
	}
	return true
}

func (r *Report) record(op, outcome string, lat time.Duration, timed bool) {
	r.ops.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if timed {
		r.latencies[op] = append(r.latencies[op], lat)
	}
	m := r.outcomes[op]
	if m == nil {
		m = map[string]int64{}
		r.outcomes[op] = m
	}
	m[outcome]++
}

func (r *Report) serverError(op, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors5xx = append(r.errors5xx, op+": "+detail)
}

func (r *Report) transportError(op, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.transport = append(r.transport, op+": "+detail)
}

func (r *Report) violation(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *Report) deletedSnapshot(vol, snap string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delSnaps[vol] = append(r.delSnaps[vol], snap)
}

// Requests is the number of HTTP requests sent (job polls included).
func (r *Report) Requests() int64 { return r.ops.Load() }

// ServerErrors lists the 5xx answers.
func (r *Report) ServerErrors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors5xx...)
}

// TransportErrors lists requests that got no complete answer.
func (r *Report) TransportErrors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.transport...)
}

// Violations lists broken invariants and model disagreements.
func (r *Report) Violations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.violations...)
}
