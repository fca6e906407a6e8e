package soak

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/reliability/harness"
)

// The policy, CIFS, quota and SVM operations of the mix: snapshot
// policies (their schedules through the /schedules sub-resource), QoS
// policies, a volume's snapshot and QoS policy, CIFS shares at the
// client's volumes' junctions, tree quota rules on its qtrees, and one
// SVM's lifecycle step by step.
const (
	opCreateSnapPolicy = "create_snapshot_policy"
	opModifySnapPolicy = "modify_snapshot_policy"
	opDeleteSnapPolicy = "delete_snapshot_policy"
	opCreateQoS        = "create_qos_policy"
	opModifyQoS        = "modify_qos_policy"
	opDeleteQoS        = "delete_qos_policy"
	opSetVolumePolicy  = "set_volume_policy"
	opCreateShare      = "create_cifs_share"
	opModifyShare      = "modify_cifs_share"
	opDeleteShare      = "delete_cifs_share"
	opCreateQuota      = "create_quota_rule"
	opModifyQuota      = "modify_quota_rule"
	opDeleteQuota      = "delete_quota_rule"
	opSVMStep          = "svm_lifecycle"
)

func init() {
	for _, op := range []string{opCreateSnapPolicy, opModifySnapPolicy, opDeleteSnapPolicy, opCreateQoS, opModifyQoS, opDeleteQoS,
		opSetVolumePolicy, opCreateShare, opModifyShare, opDeleteShare, opCreateQuota, opModifyQuota, opDeleteQuota, opSVMStep} {
		objectOps[op] = true
	}
}

// Caps on the policies and shares one client keeps.
const (
	maxSnapPolicies = 2
	maxQoSPolicies  = 2
	maxShares       = 3
)

const (
	snapPoliciesPath = "/api/storage/snapshot-policies"
	qosPoliciesPath  = "/api/storage/qos/policies"
	sharesPath       = "/api/protocols/cifs/shares"
	quotaRulesPath   = "/api/storage/quota/rules"
	svmsPath         = "/api/svm/svms"
	cifsServicesPath = "/api/protocols/cifs/services"
	schedulesPath    = "/api/cluster/schedules"
)

// ONTAP's codes the policy operations expect.
const (
	codeSnapPolicyInUse      = 1638415 // a snapshot policy a volume uses
	codePolicyScheduleExists = 1638410 // the schedule is in the policy already
	codePolicyLastSchedule   = 1638411 // a policy keeps one schedule
	codeQoSInUse             = 8       // a QoS policy a volume uses
	codeCIFSServerExists     = 655477
)

// builtinSchedules are the job schedules every cluster has, which the
// soak's snapshot policies use.
var builtinSchedules = []string{"5min", "8hour", "daily", "hourly", "weekly"}

// shared is what every client reads and nobody changes during the run:
// the cluster SVM's UUID (a share's key) and the built-in schedules'
// UUIDs (a policy schedule's key).
type shared struct {
	svm0      string
	schedules map[string]string // name -> UUID
}

// setupObjects gives the cluster's SVM a CIFS server (shares need one)
// and reads what the clients share.
func setupObjects(ctx context.Context, tgt *harness.Target) (*shared, error) {
	sh := &shared{schedules: map[string]string{}}
	recs, err := records(ctx, tgt, svmsPath+"?name=svm0&fields=uuid")
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("soak: %d SVMs named svm0", len(recs))
	}
	sh.svm0 = jsonpath.String(recs[0], "uuid")
	if recs, err = records(ctx, tgt, schedulesPath+"?fields=name,uuid"); err != nil {
		return nil, err
	}
	for _, r := range recs {
		sh.schedules[jsonpath.String(r, "name")] = jsonpath.String(r, "uuid")
	}
	for _, n := range builtinSchedules {
		if sh.schedules[n] == "" {
			return nil, fmt.Errorf("soak: no built-in schedule %s", n)
		}
	}
	r, err := tgt.Do(ctx, http.MethodPost, cifsServicesPath+"?return_timeout=30", map[string]any{"name": "SOAKCIFS", "svm": map[string]any{"name": "svm0"}})
	if err != nil {
		return nil, err
	}
	if r.Status >= 300 {
		if e, err := harness.Envelope(r); err != nil || e.Code != strconv.Itoa(codeCIFSServerExists) {
			return nil, fmt.Errorf("soak: CIFS server of svm0: %d %.300s", r.Status, r.Body)
		}
	}
	return sh, nil
}

// snapPolicy is a snapshot policy a client owns.
type snapPolicy struct {
	uuid, name string
	copies     map[string]int64 // schedule name -> count
	deleted    bool
	uncertain  bool
	// maybeUsed: something the model cannot see may use it (another
	// client's clone of a volume that used it inherits it; a volume
	// PATCH naming it was cut off).
	maybeUsed bool
}

// qosPolicy is a fixed QoS policy a client owns.
type qosPolicy struct {
	uuid, name string
	maxIOPS    int64
	deleted    bool
	uncertain  bool
	maybeUsed  bool // as snapPolicy's
}

// share is a CIFS share a client owns (keyed by name in svm0). A share
// outlives its volume's delete: nessie, like ONTAP, checks a share's path
// only when it is set.
type share struct {
	name, path, comment string
	deleted, uncertain  bool
}

// quotaRule is a tree quota rule on one of a client's qtrees.
type quotaRule struct {
	uuid      string
	hard      int64
	deleted   bool
	uncertain bool
}

// svmLife is the SVM a client takes through its lifecycle: create, an
// export policy in it, rename, delete.
type svmLife struct {
	uuid, name string
	policy     *policy // the export policy made in it
	step       int     // the steps done: 1 created, 2 policy, 3 renamed
	deleted    bool
	uncertain  bool
}

func liveOf[T any](xs []*T, dead func(*T) bool) []*T {
	var out []*T
	for _, x := range xs {
		if !dead(x) {
			out = append(out, x)
		}
	}
	return out
}

func (c *client) liveSnapPolicies() []*snapPolicy {
	return liveOf(c.snapPolicies, func(p *snapPolicy) bool { return p.deleted || p.uncertain })
}

func (c *client) liveQoS() []*qosPolicy {
	return liveOf(c.qosPolicies, func(p *qosPolicy) bool { return p.deleted || p.uncertain })
}

func (c *client) liveShares() []*share {
	return liveOf(c.shares, func(s *share) bool { return s.deleted || s.uncertain })
}

// usage reports whether a volume of the client that still exists uses a
// policy for sure (known volume) or maybe (a volume whose state is
// unknown).
func (c *client) usage(uses func(*volume) bool) (sure, maybe bool) {
	for _, v := range c.vols {
		if v.deleted || !uses(v) {
			continue
		}
		if v.uncertain {
			maybe = true
		} else {
			sure = true
		}
	}
	return sure, maybe
}

// ---- snapshot policies ----

func (c *client) createSnapPolicy(ctx context.Context) {
	if len(c.liveSnapPolicies()) >= maxSnapPolicies {
		c.deleteSnapPolicy(ctx)
		return
	}
	p := &snapPolicy{name: c.name("sp"), copies: map[string]int64{}}
	var copies []any
	for _, i := range c.rng.Perm(len(builtinSchedules))[:1+c.rng.IntN(2)] {
		n := int64(1 + c.rng.IntN(10))
		p.copies[builtinSchedules[i]] = n
		copies = append(copies, map[string]any{"schedule": map[string]any{"name": builtinSchedules[i]}, "count": n})
	}
	a := c.request(ctx, opCreateSnapPolicy, http.MethodPost, snapPoliciesPath+"?return_records=true",
		map[string]any{"name": p.name, "svm": map[string]any{"name": "svm0"}, "copies": copies})
	switch {
	case a.unknown:
		p.uncertain = true
		c.uncertainNames = append(c.uncertainNames, p.name)
		c.snapPolicies = append(c.snapPolicies, p)
		return
	case !a.ok():
		c.rep.violation("%s %s: %d %s", opCreateSnapPolicy, p.name, a.status, a.code)
		return
	}
	rec, _ := firstRecord(a.body)
	if p.uuid = jsonpath.String(rec, "uuid"); p.uuid == "" {
		c.rep.violation("%s %s: no uuid in %.200s", opCreateSnapPolicy, p.name, a.body)
		return
	}
	c.snapPolicies = append(c.snapPolicies, p)
}

// modifySnapPolicy adds, changes or removes one of a policy's schedules
// through /snapshot-policies/{uuid}/schedules.
func (c *client) modifySnapPolicy(ctx context.Context) {
	p, ok := pick(c, c.liveSnapPolicies())
	if !ok {
		c.createSnapPolicy(ctx)
		return
	}
	coll := snapPoliciesPath + "/" + p.uuid + "/schedules"
	sched := builtinSchedules[c.rng.IntN(len(builtinSchedules))]
	_, in := p.copies[sched]
	switch n := c.rng.IntN(3); {
	case n == 0 || !in:
		count := int64(1 + c.rng.IntN(10))
		a := c.request(ctx, opModifySnapPolicy, http.MethodPost, coll, map[string]any{"schedule": map[string]any{"name": sched}, "count": count})
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok() && !in:
			p.copies[sched] = count
		case in && (a.failed(codePolicyScheduleExists) || len(p.copies) == len(builtinSchedules) && a.failed(2)):
			// In the policy already; with all five schedules in it, the
			// limit of five schedules (code 2) may be reported first.
		default:
			c.rep.violation("schedule %s added to own snapshot policy %s (in it: %v): %d %s", sched, p.name, in, a.status, a.code)
		}
	case n == 1:
		count := int64(1 + c.rng.IntN(10))
		a := c.request(ctx, opModifySnapPolicy, http.MethodPatch, coll+"/"+c.sh.schedules[sched], map[string]any{"count": count})
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok():
			p.copies[sched] = count
		default:
			c.rep.violation("PATCH of schedule %s of own snapshot policy %s: %d %s", sched, p.name, a.status, a.code)
		}
	default:
		last := len(p.copies) == 1
		a := c.request(ctx, opModifySnapPolicy, http.MethodDelete, coll+"/"+c.sh.schedules[sched], nil)
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok() && !last:
			delete(p.copies, sched)
		case a.failed(codePolicyLastSchedule) && last:
			// A policy keeps one schedule, as ONTAP's does.
		default:
			c.rep.violation("DELETE of schedule %s of own snapshot policy %s (its last: %v): %d %s", sched, p.name, last, a.status, a.code)
		}
	}
}

func (c *client) deleteSnapPolicy(ctx context.Context) {
	p, ok := pick(c, c.liveSnapPolicies())
	if !ok {
		c.createSnapPolicy(ctx)
		return
	}
	sure, maybe := c.usage(func(v *volume) bool { return v.snapPolicy == p })
	a := c.request(ctx, opDeleteSnapPolicy, http.MethodDelete, snapPoliciesPath+"/"+p.uuid, nil)
	switch {
	case a.unknown:
		p.uncertain = true
	case a.ok():
		if sure {
			c.rep.violation("snapshot policy %s deleted while a volume uses it", p.name)
		}
		p.deleted = true
	case a.failed(codeSnapPolicyInUse) && (sure || maybe || p.maybeUsed):
		// A volume uses it: refused, as ONTAP does.
	default:
		c.rep.violation("DELETE of own snapshot policy %s (in use %v, maybe %v/%v): %d %s", p.name, sure, maybe, p.maybeUsed, a.status, a.code)
	}
}

// ---- QoS policies ----

func (c *client) createQoS(ctx context.Context) {
	if len(c.liveQoS()) >= maxQoSPolicies {
		c.deleteQoS(ctx)
		return
	}
	p := &qosPolicy{name: c.name("qos"), maxIOPS: int64(100 * (1 + c.rng.IntN(50)))}
	a := c.mutate(ctx, opCreateQoS, http.MethodPost, qosPoliciesPath, map[string]any{
		"name": p.name, "svm": map[string]any{"name": "svm0"}, "fixed": map[string]any{"max_throughput_iops": p.maxIOPS}}, true)
	switch {
	case a.unknown:
		p.uncertain = true
		c.uncertainNames = append(c.uncertainNames, p.name)
		c.qosPolicies = append(c.qosPolicies, p)
		return
	case !a.ok():
		c.rep.violation("%s %s: %d %s", opCreateQoS, p.name, a.status, a.code)
		return
	}
	rec, _ := firstRecord(a.body)
	if p.uuid = jsonpath.String(rec, "uuid"); p.uuid == "" {
		// Async: the 202 echoed the request.
		got, ok := c.lookup(ctx, opCreateQoS, qosPoliciesPath, p.name)
		if p.uuid = jsonpath.String(got, "uuid"); !ok || p.uuid == "" {
			c.rep.violation("%s %s: acknowledged, but not found by name", opCreateQoS, p.name)
			p.uncertain = true
			c.uncertainNames = append(c.uncertainNames, p.name)
		}
	}
	c.qosPolicies = append(c.qosPolicies, p)
}

func (c *client) modifyQoS(ctx context.Context) {
	p, ok := pick(c, c.liveQoS())
	if !ok {
		c.createQoS(ctx)
		return
	}
	iops := int64(100 * (1 + c.rng.IntN(50)))
	a := c.mutate(ctx, opModifyQoS, http.MethodPatch, qosPoliciesPath+"/"+p.uuid, map[string]any{"fixed": map[string]any{"max_throughput_iops": iops}}, false)
	switch {
	case a.unknown:
		p.uncertain = true
	case a.ok():
		p.maxIOPS = iops
	default:
		c.rep.violation("PATCH of own QoS policy %s: %d %s", p.name, a.status, a.code)
	}
}

func (c *client) deleteQoS(ctx context.Context) {
	p, ok := pick(c, c.liveQoS())
	if !ok {
		c.createQoS(ctx)
		return
	}
	sure, maybe := c.usage(func(v *volume) bool { return v.qos == p })
	a := c.mutate(ctx, opDeleteQoS, http.MethodDelete, qosPoliciesPath+"/"+p.uuid, nil, false)
	switch {
	case a.unknown:
		p.uncertain = true
	case a.ok():
		if sure {
			c.rep.violation("QoS policy %s deleted while a volume uses it", p.name)
		}
		p.deleted = true
	case a.failed(codeQoSInUse) && (sure || maybe || p.maybeUsed):
	default:
		c.rep.violation("DELETE of own QoS policy %s (in use %v, maybe %v/%v): %d %s", p.name, sure, maybe, p.maybeUsed, a.status, a.code)
	}
}

// setVolumePolicy points one of the client's volumes at one of its
// snapshot policies (or "default") and one of its QoS policies (or
// "none").
func (c *client) setVolumePolicy(ctx context.Context) {
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	body := map[string]any{}
	sp, qp := v.snapPolicy, v.qos
	if c.rng.IntN(2) == 0 {
		sp = nil
		name := "default"
		if ps := c.liveSnapPolicies(); len(ps) > 0 && c.rng.IntN(4) > 0 {
			sp = ps[c.rng.IntN(len(ps))]
			name = sp.name
		}
		body["snapshot_policy"] = map[string]any{"name": name}
	}
	if len(body) == 0 || c.rng.IntN(2) == 0 {
		qp = nil
		name := "none"
		if ps := c.liveQoS(); len(ps) > 0 && c.rng.IntN(4) > 0 {
			qp = ps[c.rng.IntN(len(ps))]
			name = qp.name
		}
		body["qos"] = map[string]any{"policy": map[string]any{"name": name}}
	}
	a := c.mutate(ctx, opSetVolumePolicy, http.MethodPatch, "/api/storage/volumes/"+v.uuid, body, false)
	switch {
	case a.unknown:
		v.uncertain = true
		if sp != nil {
			sp.maybeUsed = true
		}
		if qp != nil {
			qp.maybeUsed = true
		}
	case a.ok():
		if _, set := body["snapshot_policy"]; set {
			v.snapPolicy, v.snapPolicyKnown = sp, true
		}
		if _, set := body["qos"]; set {
			v.qos, v.qosKnown = qp, true
		}
		v.policiesShared()
	default:
		c.rep.violation("policies of own volume %s (%v): %d %s", v.name, body, a.status, a.code)
	}
}

// policiesShared notes that a clone of v (another client's, from one of
// v's snapshots) may have inherited v's policies.
func (v *volume) policiesShared() {
	if len(v.snaps) == 0 {
		return
	}
	if v.snapPolicy != nil {
		v.snapPolicy.maybeUsed = true
	}
	if v.qos != nil {
		v.qos.maybeUsed = true
	}
}

// ---- CIFS shares ----

func (c *client) createShare(ctx context.Context) {
	if len(c.liveShares()) >= maxShares {
		c.deleteShare(ctx)
		return
	}
	v := c.pickLive(nil)
	if v == nil {
		c.createVolume(ctx)
		return
	}
	if v.junction == "" {
		// Mount it, so that its junction path is a share's path.
		path := "/" + v.name
		a := c.mutate(ctx, opCreateShare, http.MethodPatch, "/api/storage/volumes/"+v.uuid, map[string]any{"nas": map[string]any{"path": path}}, false)
		switch {
		case a.unknown:
			v.uncertain = true
			return
		case !a.ok():
			c.rep.violation("mount of own volume %s at %s: %d %s", v.name, path, a.status, a.code)
			return
		}
		v.junction = path
	}
	s := &share{name: c.name("sh"), path: v.junction, comment: fmt.Sprintf("c%d", c.rng.IntN(1000))}
	a := c.request(ctx, opCreateShare, http.MethodPost, sharesPath,
		map[string]any{"name": s.name, "path": s.path, "comment": s.comment, "svm": map[string]any{"name": "svm0"}})
	switch {
	case a.unknown:
		s.uncertain = true
	case !a.ok():
		c.rep.violation("share %s at own volume %s's junction %s: %d %s", s.name, v.name, s.path, a.status, a.code)
		return
	}
	c.shares = append(c.shares, s)
}

func (c *client) modifyShare(ctx context.Context) {
	s, ok := pick(c, c.liveShares())
	if !ok {
		c.createShare(ctx)
		return
	}
	comment := fmt.Sprintf("p%d", c.rng.IntN(1000))
	a := c.request(ctx, opModifyShare, http.MethodPatch, sharesPath+"/"+c.sh.svm0+"/"+url.PathEscape(s.name), map[string]any{"comment": comment})
	switch {
	case a.unknown:
		s.uncertain = true
	case a.ok():
		s.comment = comment
	default:
		c.rep.violation("PATCH of own share %s: %d %s", s.name, a.status, a.code)
	}
}

func (c *client) deleteShare(ctx context.Context) {
	s, ok := pick(c, c.liveShares())
	if !ok {
		c.createShare(ctx)
		return
	}
	a := c.request(ctx, opDeleteShare, http.MethodDelete, sharesPath+"/"+c.sh.svm0+"/"+url.PathEscape(s.name), nil)
	switch {
	case a.unknown:
		s.uncertain = true
	case a.ok():
		s.deleted = true
	default:
		c.rep.violation("DELETE of own share %s: %d %s", s.name, a.status, a.code)
	}
}

// ---- quota rules ----

// pickQuota picks a live qtree of a live volume whose tree rule is (rule)
// or is not (!rule) known to exist.
func (c *client) pickQuota(rule bool) (*volume, *qtree) {
	return pickIn(c, liveQtrees, func(q *qtree) bool {
		if q.rule != nil && q.rule.uncertain {
			return false
		}
		return (q.rule != nil && !q.rule.deleted) == rule
	})
}

func (c *client) createQuota(ctx context.Context) {
	v, q := c.pickQuota(false)
	if q == nil {
		c.createQtree(ctx)
		return
	}
	r := &quotaRule{hard: int64(1+c.rng.IntN(64)) << 20}
	a := c.mutate(ctx, opCreateQuota, http.MethodPost, quotaRulesPath, map[string]any{"type": "tree", "qtree": map[string]any{"name": q.name},
		"volume": map[string]any{"uuid": v.uuid}, "svm": map[string]any{"name": "svm0"}, "space": map[string]any{"hard_limit": r.hard}}, true)
	switch {
	case a.unknown:
		r.uncertain = true
		q.rule = r
		return
	case !a.ok():
		c.rep.violation("quota rule on own qtree %s of %s: %d %s", q.name, v.name, a.status, a.code)
		return
	}
	rec, _ := firstRecord(a.body)
	if r.uuid = jsonpath.String(rec, "uuid"); r.uuid == "" {
		g := c.request(ctx, opCreateQuota, http.MethodGet, quotaRulesPath+"?fields=uuid&volume.uuid="+v.uuid+"&qtree.name="+url.QueryEscape(q.name), nil)
		rec, _ = firstRecord(g.body)
		if r.uuid = jsonpath.String(rec, "uuid"); !g.ok() || r.uuid == "" {
			c.rep.violation("quota rule on %s of %s: acknowledged, but not found", q.name, v.name)
			r.uncertain = true
		}
	}
	q.rule = r
}

func (c *client) modifyQuota(ctx context.Context) {
	v, q := c.pickQuota(true)
	if q == nil {
		c.createQuota(ctx)
		return
	}
	hard := int64(1+c.rng.IntN(64)) << 20
	a := c.mutate(ctx, opModifyQuota, http.MethodPatch, quotaRulesPath+"/"+q.rule.uuid, map[string]any{"space": map[string]any{"hard_limit": hard}}, false)
	switch {
	case a.unknown:
		q.rule.uncertain = true
	case a.ok():
		q.rule.hard = hard
	default:
		c.rep.violation("PATCH of the quota rule of own qtree %s of %s: %d %s", q.name, v.name, a.status, a.code)
	}
}

func (c *client) deleteQuota(ctx context.Context) {
	v, q := c.pickQuota(true)
	if q == nil {
		c.createQuota(ctx)
		return
	}
	a := c.mutate(ctx, opDeleteQuota, http.MethodDelete, quotaRulesPath+"/"+q.rule.uuid, nil, false)
	switch {
	case a.unknown:
		q.rule.uncertain = true
	case a.ok():
		q.rule.deleted = true
	default:
		c.rep.violation("DELETE of the quota rule of own qtree %s of %s: %d %s", q.name, v.name, a.status, a.code)
	}
}

// ---- an SVM's lifecycle ----

// svmStep takes the client's SVM one step on: create it, make an export
// policy in it, rename it, delete it (taking the policy along); then a
// new one.
func (c *client) svmStep(ctx context.Context) {
	s := c.svm()
	switch {
	case s == nil:
		s = &svmLife{name: c.name("svm")}
		a := c.mutate(ctx, opSVMStep, http.MethodPost, svmsPath, map[string]any{"name": s.name}, true)
		switch {
		case a.unknown:
			s.uncertain = true
			c.uncertainNames = append(c.uncertainNames, s.name)
		case !a.ok():
			c.rep.violation("SVM %s: %d %s", s.name, a.status, a.code)
			return
		default:
			rec, _ := firstRecord(a.body)
			if s.uuid = jsonpath.String(rec, "uuid"); s.uuid == "" {
				c.rep.violation("SVM %s: no uuid in %.200s", s.name, a.body)
				s.uncertain = true
			}
		}
		s.step = 1
		c.svms = append(c.svms, s)
	case s.step == 1:
		p := &policy{name: c.name("sep"), rules: map[int64]string{}, nextIndex: 1}
		a := c.request(ctx, opSVMStep, http.MethodPost, policiesPath+"?return_records=true", map[string]any{"name": p.name, "svm": map[string]any{"uuid": s.uuid}})
		switch {
		case a.unknown:
			s.uncertain = true
			c.uncertainNames = append(c.uncertainNames, p.name)
			return
		case !a.ok():
			c.rep.violation("export policy %s in own SVM %s: %d %s", p.name, s.name, a.status, a.code)
			return
		}
		rec, _ := firstRecord(a.body)
		p.id, _ = jsonpath.Int(rec, "id")
		s.policy, s.step = p, 2
	case s.step == 2:
		name := c.name("svmr")
		a := c.mutate(ctx, opSVMStep, http.MethodPatch, svmsPath+"/"+s.uuid, map[string]any{"name": name}, false)
		switch {
		case a.unknown:
			s.uncertain = true
			c.uncertainNames = append(c.uncertainNames, name)
		case a.ok():
			s.name, s.step = name, 3
		default:
			c.rep.violation("rename of own SVM %s: %d %s", s.name, a.status, a.code)
		}
	default:
		a := c.mutate(ctx, opSVMStep, http.MethodDelete, svmsPath+"/"+s.uuid, nil, false)
		switch {
		case a.unknown:
			s.uncertain = true
		case a.ok():
			s.deleted = true
		default:
			c.rep.violation("DELETE of own SVM %s: %d %s", s.name, a.status, a.code)
		}
	}
}

// svm is the client's SVM in its lifecycle, if any.
func (c *client) svm() *svmLife {
	if n := len(c.svms); n > 0 && !c.svms[n-1].deleted && !c.svms[n-1].uncertain {
		return c.svms[n-1]
	}
	return nil
}
