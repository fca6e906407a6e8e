package soak

import (
	"context"
	"maps"
	"strings"

	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/reliability/harness"
)

// polState is the policy, CIFS, quota and SVM part of the final state.
type polState struct {
	snapPolicies map[string]map[string]any // by UUID
	qos          map[string]map[string]any // by UUID
	shares       map[string]map[string]any // svm0's, by name
	quotaRules   map[string]map[string]any // by UUID
	svms         map[string]map[string]any // by UUID
	volAttrs     map[string]map[string]any // volumes' nas.path and policies, by UUID
}

func byKey(recs []map[string]any, key string) map[string]map[string]any {
	out := make(map[string]map[string]any, len(recs))
	for _, r := range recs {
		out[jsonpath.String(r, key)] = r
	}
	return out
}

func readPolicies(ctx context.Context, tgt *harness.Target) (*polState, error) {
	ps := &polState{}
	for _, l := range []struct {
		dst  *map[string]map[string]any
		path string
		key  string
	}{
		{&ps.snapPolicies, snapPoliciesPath + "?fields=name,copies,svm", "uuid"},
		{&ps.qos, qosPoliciesPath + "?fields=name,fixed,svm", "uuid"},
		{&ps.shares, sharesPath + "?svm.name=svm0&fields=name,path,comment", "name"},
		{&ps.quotaRules, quotaRulesPath + "?fields=type,qtree,volume,space", "uuid"},
		{&ps.svms, svmsPath + "?fields=name,uuid", "uuid"},
		{&ps.volAttrs, "/api/storage/volumes?fields=nas.path,snapshot_policy.name,qos.policy.name", "uuid"},
	} {
		recs, err := records(ctx, tgt, l.path)
		if err != nil {
			return nil, err
		}
		*l.dst = byKey(recs, l.key)
	}
	return ps, nil
}

// verifyPolicies checks the snapshot and QoS policies, the volumes'
// junctions and policies, the shares, quota rules and SVMs against every
// client's model, and that no soak-named one exists that no client made.
// It adds the export policies made in the clients' SVMs to known and
// their uncertain names to uncertain.
func verifyPolicies(ctx context.Context, tgt *harness.Target, ob *objState, clients []*client, rep *Report, known map[int64]bool, uncertain map[string]bool) {
	ps, err := readPolicies(ctx, tgt)
	if err != nil {
		rep.violation("reading the final policies: %v", err)
		return
	}
	rep.FinalSnapPolicies, rep.FinalQoSPolicies, rep.FinalShares, rep.FinalQuotaRules, rep.FinalSVMs =
		len(ps.snapPolicies), len(ps.qos), len(ps.shares), len(ps.quotaRules), len(ps.svms)
	knownSnap, knownQoS, knownShares, knownRules, knownSVMs := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range clients {
		for _, p := range c.snapPolicies {
			knownSnap[p.uuid] = true
			rep.verifySnapPolicy(ps, p)
		}
		for _, p := range c.qosPolicies {
			knownQoS[p.uuid] = true
			rep.verifyQoS(ps, p)
		}
		for _, s := range c.shares {
			knownShares[s.name] = true
			rep.verifyShare(ps, s)
		}
		for _, s := range c.svms {
			knownSVMs[s.uuid] = true
			if s.policy != nil {
				known[s.policy.id] = true
			}
			rep.verifySVM(ps, ob, s)
		}
		for _, v := range c.vols {
			for _, q := range v.qtrees {
				if q.rule != nil {
					knownRules[q.rule.uuid] = true
				}
			}
			if !v.uncertain {
				rep.verifyVolumePolicies(ps, v)
			}
		}
	}
	// Invariant: a quota rule is in an existing volume, on a qtree of it.
	for id, r := range ps.quotaRules {
		vol := jsonpath.String(r, "volume.uuid")
		if ps.volAttrs[vol] == nil {
			rep.violation("invariant: quota rule %s in a volume that does not exist", id)
		}
		if qid, ok := jsonpath.Int(r, "qtree.id"); ok && qid != 0 && ob.qtrees[qtreeKey(vol, qid)] == nil {
			rep.violation("invariant: quota rule %s on qtree %d of %s, which does not exist", id, qid, vol)
		}
	}
	phantom := func(kind string, recs map[string]map[string]any, known map[string]bool) {
		for id, r := range recs {
			if name := jsonpath.String(r, "name"); strings.HasPrefix(name, "soak_") && !known[id] && !uncertain[name] {
				rep.violation("phantom %s %s (%s): no client created it", kind, name, id)
			}
		}
	}
	phantom("snapshot policy", ps.snapPolicies, knownSnap)
	phantom("QoS policy", ps.qos, knownQoS)
	phantom("CIFS share", ps.shares, knownShares)
	phantom("SVM", ps.svms, knownSVMs)
	for id, r := range ps.quotaRules {
		vol := jsonpath.String(r, "volume.uuid")
		if !knownRules[id] && exactRules(clients, vol) {
			rep.violation("phantom quota rule %s on %s in %s", id, jsonpath.String(r, "qtree.name"), jsonpath.String(r, "volume.name"))
		}
	}
}

// exactRules reports whether some client's model of the volume vol knows
// all its quota rules (no create of one was cut off).
func exactRules(clients []*client, vol string) bool {
	for _, c := range clients {
		if v := c.vols[vol]; v != nil {
			if v.uncertain || v.cloned {
				return false
			}
			for _, q := range v.qtrees {
				if q.uncertain || q.rule != nil && q.rule.uncertain {
					return false
				}
			}
			return true
		}
	}
	return false
}

func (rep *Report) verifySnapPolicy(ps *polState, p *snapPolicy) {
	if p.uncertain {
		return
	}
	got := ps.snapPolicies[p.uuid]
	switch {
	case p.deleted && got != nil:
		rep.violation("snapshot policy %s was deleted (acknowledged) but is listed", p.name)
	case p.deleted:
	case got == nil:
		rep.violation("snapshot policy %s (%s) was created (acknowledged) but is not listed", p.name, p.uuid)
	default:
		if n := jsonpath.String(got, "name"); n != p.name {
			rep.violation("snapshot policy %s: name %q, acknowledged %q", p.uuid, n, p.name)
		}
		have := map[string]int64{}
		copies, _ := jsonpath.Get(got, "copies").([]any)
		for _, e := range copies {
			n, _ := jsonpath.Int(e, "count")
			have[jsonpath.String(e, "schedule.name")] = n
		}
		if !maps.Equal(have, p.copies) {
			rep.violation("snapshot policy %s: schedules %v, acknowledged %v", p.name, have, p.copies)
		}
	}
}

func (rep *Report) verifyQoS(ps *polState, p *qosPolicy) {
	if p.uncertain {
		return
	}
	got := ps.qos[p.uuid]
	switch {
	case p.deleted && got != nil:
		rep.violation("QoS policy %s was deleted (acknowledged) but is listed", p.name)
	case p.deleted:
	case got == nil:
		rep.violation("QoS policy %s (%s) was created (acknowledged) but is not listed", p.name, p.uuid)
	default:
		if n := jsonpath.String(got, "name"); n != p.name {
			rep.violation("QoS policy %s: name %q, acknowledged %q", p.uuid, n, p.name)
		}
		if n, _ := jsonpath.Int(got, "fixed.max_throughput_iops"); n != p.maxIOPS {
			rep.violation("QoS policy %s: max_throughput_iops %d, last acknowledged %d", p.name, n, p.maxIOPS)
		}
	}
}

func (rep *Report) verifyShare(ps *polState, s *share) {
	if s.uncertain {
		return
	}
	got := ps.shares[s.name]
	switch {
	case s.deleted && got != nil:
		rep.violation("CIFS share %s was deleted (acknowledged) but is listed", s.name)
	case s.deleted:
	case got == nil:
		rep.violation("CIFS share %s was created (acknowledged) but is not listed", s.name)
	default:
		if p := jsonpath.String(got, "path"); p != s.path {
			rep.violation("CIFS share %s: path %q, acknowledged %q", s.name, p, s.path)
		}
		if cm := jsonpath.String(got, "comment"); cm != s.comment {
			rep.violation("CIFS share %s: comment %q, last acknowledged %q", s.name, cm, s.comment)
		}
	}
}

// verifySVM checks an SVM of a client's lifecycle: as last acknowledged
// (name, its default export policy, the export policy made in it, under
// its current name), or gone with its export policies.
func (rep *Report) verifySVM(ps *polState, ob *objState, s *svmLife) {
	if s.uncertain {
		return
	}
	got := ps.svms[s.uuid]
	var pols []map[string]any
	for _, p := range ob.policies {
		if jsonpath.String(p, "svm.uuid") == s.uuid {
			pols = append(pols, p)
		}
	}
	if s.deleted {
		if got != nil {
			rep.violation("SVM %s was deleted (acknowledged) but is listed", s.name)
		}
		for _, p := range pols {
			rep.violation("export policy %s of deleted SVM %s is listed", jsonpath.String(p, "name"), s.name)
		}
		return
	}
	if got == nil {
		rep.violation("SVM %s (%s) was created (acknowledged) but is not listed", s.name, s.uuid)
		return
	}
	if n := jsonpath.String(got, "name"); n != s.name {
		rep.violation("SVM %s: name %q, last acknowledged %q", s.uuid, n, s.name)
	}
	want := map[string]bool{"default": true}
	if s.policy != nil {
		want[s.policy.name] = true
	}
	have := map[string]bool{}
	for _, p := range pols {
		have[jsonpath.String(p, "name")] = true
		if n := jsonpath.String(p, "svm.name"); n != s.name {
			rep.violation("export policy %s of SVM %s names it %q", jsonpath.String(p, "name"), s.name, n)
		}
	}
	if !maps.Equal(have, want) {
		rep.violation("SVM %s: export policies %v, acknowledged %v", s.name, have, want)
	}
}

// verifyVolumePolicies checks a volume's junction and policies, and that
// a deleted volume took its quota rules along.
func (rep *Report) verifyVolumePolicies(ps *polState, v *volume) {
	if v.deleted {
		for id, r := range ps.quotaRules {
			if jsonpath.String(r, "volume.uuid") == v.uuid {
				rep.violation("quota rule %s of deleted volume %s is listed", id, v.name)
			}
		}
		return
	}
	got := ps.volAttrs[v.uuid]
	if got == nil {
		return // verifyVolume reports it
	}
	if p := jsonpath.String(got, "nas.path"); p != v.junction {
		rep.violation("volume %s: nas.path %q, last acknowledged %q", v.name, p, v.junction)
	}
	if v.snapPolicyKnown {
		want := "default"
		if v.snapPolicy != nil {
			want = v.snapPolicy.name
		}
		if n := jsonpath.String(got, "snapshot_policy.name"); n != want {
			rep.violation("volume %s: snapshot policy %q, last acknowledged %q", v.name, n, want)
		}
	}
	if v.qosKnown {
		want := "none"
		if v.qos != nil {
			want = v.qos.name
		}
		if n := jsonpath.String(got, "qos.policy.name"); n != want && (want != "none" || n != "") {
			rep.violation("volume %s: QoS policy %q, last acknowledged %q", v.name, n, want)
		}
	}
	for _, q := range v.qtrees {
		r := q.rule
		if r == nil || r.uncertain || q.uncertain {
			continue
		}
		got := ps.quotaRules[r.uuid]
		switch {
		case r.deleted && got != nil:
			rep.violation("quota rule %s of qtree %s of %s was deleted (acknowledged) but is listed", r.uuid, q.name, v.name)
		case r.deleted:
		case got == nil:
			rep.violation("quota rule %s of qtree %s of %s was created (acknowledged) but is not listed", r.uuid, q.name, v.name)
		default:
			if n, _ := jsonpath.Int(got, "space.hard_limit"); n != r.hard {
				rep.violation("quota rule of qtree %s of %s: hard limit %d, last acknowledged %d", q.name, v.name, n, r.hard)
			}
			if n := jsonpath.String(got, "qtree.name"); n != q.name {
				rep.violation("quota rule %s: qtree %q, its qtree is now %q", r.uuid, n, q.name)
			}
			if id, _ := jsonpath.Int(got, "qtree.id"); id != q.id {
				rep.violation("quota rule %s: qtree id %d, want %d", r.uuid, id, q.id)
			}
		}
	}
}
