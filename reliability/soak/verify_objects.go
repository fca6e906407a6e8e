package soak

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/reliability/harness"
)

// objState is the NAS and SAN part of the final state, as listed.
type objState struct {
	policies map[int64]map[string]any  // export policies by id
	qtrees   map[string]map[string]any // by volume UUID + "/" + id
	luns     map[string]map[string]any // by UUID
	igroups  map[string]map[string]any // by UUID
	maps     map[string]map[string]int64
}

func records(ctx context.Context, tgt *harness.Target, path string) ([]map[string]any, error) {
	var p page[map[string]any]
	if err := getJSON(ctx, tgt, path, &p); err != nil {
		return nil, err
	}
	if p.NumRecords != len(p.Records) {
		return nil, fmt.Errorf("GET %s: num_records %d but %d records", path, p.NumRecords, len(p.Records))
	}
	return p.Records, nil
}

func qtreeKey(vol string, id int64) string { return vol + "/" + strconv.FormatInt(id, 10) }

// readObjects lists the export policies, qtrees, LUNs, igroups and LUN
// maps.
func readObjects(ctx context.Context, tgt *harness.Target) (*objState, error) {
	ob := &objState{policies: map[int64]map[string]any{}, qtrees: map[string]map[string]any{}, luns: map[string]map[string]any{},
		igroups: map[string]map[string]any{}, maps: map[string]map[string]int64{}}
	recs, err := records(ctx, tgt, policiesPath+"?fields=name,rules")
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		id, _ := jsonpath.Int(r, "id")
		ob.policies[id] = r
	}
	if recs, err = records(ctx, tgt, qtreesPath+"?fields=id,name,volume,export_policy"); err != nil {
		return nil, err
	}
	for _, r := range recs {
		id, _ := jsonpath.Int(r, "id")
		ob.qtrees[qtreeKey(jsonpath.String(r, "volume.uuid"), id)] = r
	}
	if recs, err = records(ctx, tgt, lunsPath+"?fields=name,space.size,comment,location.volume"); err != nil {
		return nil, err
	}
	for _, r := range recs {
		ob.luns[jsonpath.String(r, "uuid")] = r
	}
	if recs, err = records(ctx, tgt, igroupsPath+"?fields=name"); err != nil {
		return nil, err
	}
	for _, r := range recs {
		ob.igroups[jsonpath.String(r, "uuid")] = r
	}
	if recs, err = records(ctx, tgt, lunMapsPath+"?fields=lun,igroup,logical_unit_number"); err != nil {
		return nil, err
	}
	for _, r := range recs {
		l := jsonpath.String(r, "lun.uuid")
		if ob.maps[l] == nil {
			ob.maps[l] = map[string]int64{}
		}
		n, _ := jsonpath.Int(r, "logical_unit_number")
		ob.maps[l][jsonpath.String(r, "igroup.uuid")] = n
	}
	return ob, nil
}

// verifyObjects checks the NAS and SAN objects against the invariants
// (every qtree and LUN in an existing volume, LUN paths under their
// volume's name, maps between existing LUNs and igroups) and every
// client's model, including that a deleted volume took its qtrees and
// LUNs with it.
func verifyObjects(ctx context.Context, tgt *harness.Target, st *State, clients []*client, rep *Report) {
	ob, err := readObjects(ctx, tgt)
	if err != nil {
		rep.violation("reading the final objects: %v", err)
		return
	}
	rep.FinalPolicies, rep.FinalLUNs, rep.FinalIgroups = len(ob.policies), len(ob.luns), len(ob.igroups)
	for _, q := range ob.qtrees {
		if id, _ := jsonpath.Int(q, "id"); id != 0 {
			rep.FinalQtrees++
		}
	}
	for _, m := range ob.maps {
		rep.FinalMaps += len(m)
	}
	// Invariants.
	for k, q := range ob.qtrees {
		if st.Volumes[jsonpath.String(q, "volume.uuid")] == nil {
			rep.violation("invariant: qtree %s (%s) in a volume that does not exist", k, jsonpath.String(q, "name"))
		}
	}
	for id, l := range ob.luns {
		v := st.Volumes[jsonpath.String(l, "location.volume.uuid")]
		if v == nil {
			rep.violation("invariant: LUN %s (%s) in a volume that does not exist", id, jsonpath.String(l, "name"))
		} else if !strings.HasPrefix(jsonpath.String(l, "name"), "/vol/"+v.Name+"/") {
			rep.violation("invariant: LUN %s is %s, but its volume is named %s", id, jsonpath.String(l, "name"), v.Name)
		}
	}
	for l, m := range ob.maps {
		if ob.luns[l] == nil {
			rep.violation("invariant: a map of LUN %s, which does not exist", l)
		}
		for g := range m {
			if ob.igroups[g] == nil {
				rep.violation("invariant: a map to igroup %s, which does not exist", g)
			}
		}
	}

	knownPolicies, knownIgroups := map[int64]bool{}, map[string]bool{}
	uncertain := map[string]bool{}
	for _, c := range clients {
		for _, n := range c.uncertainNames {
			uncertain[n] = true
		}
		for _, p := range c.policies {
			knownPolicies[p.id] = true
			rep.verifyPolicy(ob, p)
		}
		for _, g := range c.igroups {
			knownIgroups[g.uuid] = true
			if g.uncertain {
				// A create cut off by a kill may have made the igroup
				// without the client learning its UUID.
				uncertain[g.name] = true
				continue
			}
			got := ob.igroups[g.uuid]
			switch {
			case g.deleted && got != nil:
				rep.violation("igroup %s was deleted (acknowledged) but is listed", g.name)
			case !g.deleted && got == nil:
				rep.violation("igroup %s was created (acknowledged) but is not listed", g.name)
			case !g.deleted && jsonpath.String(got, "name") != g.name:
				rep.violation("igroup %s: name %q", g.name, jsonpath.String(got, "name"))
			}
		}
		for _, v := range c.vols {
			if !v.uncertain {
				rep.verifyVolumeObjects(ob, v)
			}
		}
	}
	for id, p := range ob.policies {
		if name := jsonpath.String(p, "name"); strings.HasPrefix(name, "soak_") && !knownPolicies[id] && !uncertain[name] {
			rep.violation("phantom export policy %s (%d): no client created it", name, id)
		}
	}
	for id, g := range ob.igroups {
		if name := jsonpath.String(g, "name"); strings.HasPrefix(name, "soak_") && !knownIgroups[id] && !uncertain[name] {
			rep.violation("phantom igroup %s (%s): no client created it", name, id)
		}
	}
}

func (rep *Report) verifyPolicy(ob *objState, p *policy) {
	if p.uncertain {
		return
	}
	got := ob.policies[p.id]
	if p.deleted {
		if got != nil {
			rep.violation("export policy %s (%d) was deleted (acknowledged) but is listed", p.name, p.id)
		}
		return
	}
	if got == nil {
		rep.violation("export policy %s (%d) was created (acknowledged) but is not listed", p.name, p.id)
		return
	}
	if n := jsonpath.String(got, "name"); n != p.name {
		rep.violation("export policy %d: name %q, last acknowledged %q", p.id, n, p.name)
	}
	have := map[int64]string{}
	rules, _ := jsonpath.Get(got, "rules").([]any)
	for _, r := range rules {
		i, _ := jsonpath.Int(r, "index")
		have[i] = jsonpath.String(r, "clients.0.match")
	}
	if !maps.Equal(have, p.rules) {
		rep.violation("export policy %s: rules %v, acknowledged %v", p.name, have, p.rules)
	}
}

func (rep *Report) verifyVolumeObjects(ob *objState, v *volume) {
	if v.deleted {
		for k, q := range ob.qtrees {
			if strings.HasPrefix(k, v.uuid+"/") {
				rep.violation("qtree %s of deleted volume %s is listed", jsonpath.String(q, "name"), v.name)
			}
		}
		for id, l := range ob.luns {
			if jsonpath.String(l, "location.volume.uuid") == v.uuid {
				rep.violation("LUN %s (%s) of deleted volume %s is listed", jsonpath.String(l, "name"), id, v.name)
			}
		}
		return
	}
	exact := true // the server's qtrees of v are exactly the model's
	own := map[string]bool{}
	for _, q := range v.qtrees {
		if q.uncertain {
			exact = false
			continue
		}
		k := qtreeKey(v.uuid, q.id)
		own[k] = true
		got := ob.qtrees[k]
		switch {
		case q.deleted && got != nil:
			rep.violation("qtree %s of %s was deleted (acknowledged) but is listed", q.name, v.name)
		case q.deleted:
		case got == nil:
			rep.violation("qtree %s (%s) was created (acknowledged) but is not listed", q.name, k)
		default:
			if n := jsonpath.String(got, "name"); n != q.name {
				rep.violation("qtree %s: name %q, last acknowledged %q", k, n, q.name)
			}
			wantPol := "default"
			if q.policy != nil {
				wantPol = q.policy.name
				if id, ok := jsonpath.Int(got, "export_policy.id"); ok && id != q.policy.id {
					rep.violation("qtree %s: export policy id %d, last acknowledged %d", q.name, id, q.policy.id)
				}
			}
			if q.policy == nil || !q.policy.uncertain {
				if n := jsonpath.String(got, "export_policy.name"); n != wantPol {
					rep.violation("qtree %s: export policy %q, last acknowledged %q", q.name, n, wantPol)
				}
			}
		}
	}
	if exact {
		for k, q := range ob.qtrees {
			if id, _ := jsonpath.Int(q, "id"); id != 0 && strings.HasPrefix(k, v.uuid+"/") && !own[k] {
				rep.violation("phantom qtree %s (%s) in %s", jsonpath.String(q, "name"), k, v.name)
			}
		}
	}
	exact = !v.cloned // a clone also holds copies of its parent's LUNs
	ownLUNs := map[string]bool{}
	for _, l := range v.luns {
		if l.uncertain {
			exact = false
			continue
		}
		ownLUNs[l.uuid] = true
		got := ob.luns[l.uuid]
		switch {
		case l.deleted && got != nil:
			rep.violation("LUN %s of %s was deleted (acknowledged) but is listed", l.lname, v.name)
		case l.deleted:
			if len(ob.maps[l.uuid]) > 0 {
				rep.violation("deleted LUN %s still has maps %v", l.lname, ob.maps[l.uuid])
			}
		case got == nil:
			rep.violation("LUN %s (%s) was created (acknowledged) but is not listed", l.lname, l.uuid)
		default:
			if n, want := jsonpath.String(got, "name"), "/vol/"+v.name+"/"+l.lname; n != want {
				rep.violation("LUN %s: path %q, want %q", l.uuid, n, want)
			}
			if n, _ := jsonpath.Int(got, "space.size"); n != l.size {
				rep.violation("LUN %s: size %d, last acknowledged %d", l.lname, n, l.size)
			}
			if n := jsonpath.String(got, "comment"); n != l.comment {
				rep.violation("LUN %s: comment %q, last acknowledged %q", l.lname, n, l.comment)
			}
			have := ob.maps[l.uuid]
			if have == nil {
				have = map[string]int64{}
			}
			if !maps.Equal(have, l.maps) {
				rep.violation("LUN %s: maps %v, acknowledged %v", l.lname, have, l.maps)
			}
		}
	}
	if exact {
		for id, l := range ob.luns {
			if jsonpath.String(l, "location.volume.uuid") == v.uuid && !ownLUNs[id] {
				rep.violation("phantom LUN %s (%s) in %s", jsonpath.String(l, "name"), id, v.name)
			}
		}
	}
}
