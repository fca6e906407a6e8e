package soak

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/nessie-go/nessie/internal/jsonpath"
)

// The NAS and SAN operations of the mix: export policies and their
// rules, qtrees (jobs, inside a client's volumes), LUNs (inside its
// volumes), igroups and LUN maps.
const (
	opCreatePolicy = "create_export_policy"
	opModifyPolicy = "modify_export_policy"
	opDeletePolicy = "delete_export_policy"
	opCreateQtree  = "create_qtree"
	opPatchQtree   = "patch_qtree"
	opDeleteQtree  = "delete_qtree"
	opCreateLUN    = "create_lun"
	opPatchLUN     = "patch_lun"
	opDeleteLUN    = "delete_lun"
	opCreateIgroup = "create_igroup"
	opDeleteIgroup = "delete_igroup"
	opMapLUN       = "map_lun"
	opUnmapLUN     = "unmap_lun"
)

// objectOps are the operations VolumesOnly leaves out.
var objectOps = map[string]bool{opCreatePolicy: true, opModifyPolicy: true, opDeletePolicy: true, opCreateQtree: true, opPatchQtree: true,
	opDeleteQtree: true, opCreateLUN: true, opPatchLUN: true, opDeleteLUN: true, opCreateIgroup: true, opDeleteIgroup: true, opMapLUN: true, opUnmapLUN: true}

// Caps on the objects one client keeps, so the state stays bounded.
const (
	maxPolicies     = 3
	maxQtreesPerVol = 3
	maxLUNsPerVol   = 2
	maxIgroups      = 2
)

const (
	policiesPath = "/api/protocols/nfs/export-policies"
	qtreesPath   = "/api/storage/qtrees"
	lunsPath     = "/api/storage/luns"
	igroupsPath  = "/api/protocols/san/igroups"
	lunMapsPath  = "/api/protocols/san/lun-maps"
)

// policy is an export policy a client owns.
type policy struct {
	id        int64
	name      string
	rules     map[int64]string // index -> clients.match
	nextIndex int64            // indexes are never reused
	deleted   bool
	uncertain bool
}

// qtree is a qtree in one of a client's volumes.
type qtree struct {
	id        int64
	name      string
	policy    *policy // nil: the volume's (default)
	rule      *quotaRule
	deleted   bool
	uncertain bool
}

// lun is a LUN in one of a client's volumes.
type lun struct {
	uuid, lname string
	size        int64
	comment     string
	maps        map[string]int64 // igroup UUID -> logical unit number
	deleted     bool
	uncertain   bool
}

// lunAt is a LUN as a snapshot holds it.
type lunAt struct {
	deleted, uncertain bool
	size               int64
	comment            string
}

// lunsNow records v's LUNs for a snapshot taken now.
func lunsNow(v *volume) map[*lun]lunAt {
	out := make(map[*lun]lunAt, len(v.luns))
	for _, l := range v.luns {
		out[l] = lunAt{deleted: l.deleted, uncertain: l.uncertain, size: l.size, comment: l.comment}
	}
	return out
}

// restoreLUNs applies a restore of v to s to v's LUNs, as ONTAP's
// SnapRestore does to the LUN files: a LUN made since is gone with its
// maps; one s holds gets its size and comment then, keeping its maps, or
// comes back unmapped if deleted since; one deleted before s stays so.
func restoreLUNs(v *volume, s snapshot) {
	for _, l := range v.luns {
		at, held := s.luns[l]
		switch {
		case !held || !at.uncertain && at.deleted:
			l.deleted, l.uncertain, l.maps = true, false, nil
		case at.uncertain || l.uncertain:
			l.uncertain = true
		default:
			if l.deleted {
				l.deleted, l.maps = false, map[string]int64{}
			}
			l.size, l.comment = at.size, at.comment
		}
	}
}

// igroup is an igroup a client owns, with one initiator.
type igroup struct {
	uuid, name string
	deleted    bool
	uncertain  bool
	// mapsUncertain: a map to the igroup may exist that no LUN records
	// (its create was cut off), so its lowest free number is unknown.
	mapsUncertain bool
}

func (c *client) livePolicies() []*policy {
	var out []*policy
	for _, p := range c.policies {
		if !p.deleted && !p.uncertain {
			out = append(out, p)
		}
	}
	return out
}

func (c *client) liveIgroups() []*igroup {
	var out []*igroup
	for _, g := range c.igroups {
		if !g.deleted && !g.uncertain {
			out = append(out, g)
		}
	}
	return out
}

func liveQtrees(v *volume) []*qtree {
	var out []*qtree
	for _, q := range v.qtrees {
		if !q.deleted && !q.uncertain {
			out = append(out, q)
		}
	}
	return out
}

func liveLUNs(v *volume) []*lun {
	var out []*lun
	for _, l := range v.luns {
		if !l.deleted && !l.uncertain {
			out = append(out, l)
		}
	}
	return out
}

// policyInUse reports whether a qtree of a volume that still exists
// names p (sure), or one whose outcome is unknown may (maybe).
func (c *client) policyInUse(p *policy) (sure, maybe bool) {
	for _, v := range c.vols {
		if v.deleted {
			continue
		}
		for _, q := range v.qtrees {
			if q.deleted || q.policy != p {
				continue
			}
			if v.uncertain || q.uncertain {
				maybe = true
			} else {
				sure = true
			}
		}
	}
	return sure, maybe
}

func pick[T any](c *client, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[c.rng.IntN(len(xs))], true
}

// ---- export policies ----

func (c *client) createPolicy(ctx context.Context) {
	if len(c.livePolicies()) >= maxPolicies {
		c.deletePolicy(ctx)
		return
	}
	name := c.name("ep")
	a := c.request(ctx, opCreatePolicy, http.MethodPost, policiesPath+"?return_records=true",
		map[string]any{"name": name, "svm": map[string]any{"name": "svm0"}})
	switch {
	case a.unknown:
		c.uncertainNames = append(c.uncertainNames, name)
		return
	case !a.ok():
		c.rep.violation("%s %s: %d %s", opCreatePolicy, name, a.status, a.code)
		return
	}
	rec, _ := firstRecord(a.body)
	id, ok := jsonpath.Int(rec, "id")
	if !ok {
		c.rep.violation("%s %s: no id in %.200s", opCreatePolicy, name, a.body)
		return
	}
	c.policies = append(c.policies, &policy{id: id, name: name, rules: map[int64]string{}, nextIndex: 1})
}

func (c *client) modifyPolicy(ctx context.Context) {
	p, ok := pick(c, c.livePolicies())
	if !ok {
		c.createPolicy(ctx)
		return
	}
	item := policiesPath + "/" + strconv.FormatInt(p.id, 10)
	var indexes []int64
	for i := range p.rules {
		indexes = append(indexes, i)
	}
	slices.Sort(indexes)
	switch n := c.rng.IntN(4); {
	case n == 0:
		name := c.name("epr")
		a := c.request(ctx, opModifyPolicy, http.MethodPatch, item, map[string]any{"name": name})
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok():
			p.name = name
		default:
			c.rep.violation("rename of own export policy %s: %d %s", p.name, a.status, a.code)
		}
	case n == 1 && len(indexes) > 0:
		i := indexes[c.rng.IntN(len(indexes))]
		match := fmt.Sprintf("10.%d.%d.0/24", c.id, c.rng.IntN(250))
		a := c.request(ctx, opModifyPolicy, http.MethodPatch, item+"/rules/"+strconv.FormatInt(i, 10),
			map[string]any{"clients": []any{map[string]any{"match": match}}, "rw_rule": []any{"never"}})
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok():
			p.rules[i] = match
		case a.failed(1704070):
			// Another rule of the policy has that match already.
			if !slices.Contains(mapValues(p.rules), match) {
				c.rep.violation("rule %d of %s: duplicate refused, but no rule matches %s", i, p.name, match)
			}
		default:
			c.rep.violation("PATCH of rule %d of own export policy %s: %d %s", i, p.name, a.status, a.code)
		}
	case n == 2 && len(indexes) > 0:
		i := indexes[c.rng.IntN(len(indexes))]
		a := c.request(ctx, opModifyPolicy, http.MethodDelete, item+"/rules/"+strconv.FormatInt(i, 10), nil)
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok():
			delete(p.rules, i)
		default:
			c.rep.violation("DELETE of rule %d of own export policy %s: %d %s", i, p.name, a.status, a.code)
		}
	default:
		match := fmt.Sprintf("10.%d.%d.0/24", c.id, c.rng.IntN(250))
		a := c.request(ctx, opModifyPolicy, http.MethodPost, item+"/rules?return_records=true", map[string]any{
			"clients": []any{map[string]any{"match": match}}, "protocols": []any{"nfs"}, "ro_rule": []any{"sys"}, "rw_rule": []any{"sys"}})
		switch {
		case a.unknown:
			p.uncertain = true
		case a.ok():
			rec, _ := firstRecord(a.body)
			got, _ := jsonpath.Int(rec, "index")
			if got != p.nextIndex {
				c.rep.violation("new rule of %s has index %d, want %d", p.name, got, p.nextIndex)
			}
			p.rules[got] = match
			p.nextIndex = max(p.nextIndex, got) + 1
		case a.failed(1704070):
			if !slices.Contains(mapValues(p.rules), match) {
				c.rep.violation("rule of %s: duplicate refused, but no rule matches %s", p.name, match)
			}
		default:
			c.rep.violation("new rule of own export policy %s: %d %s", p.name, a.status, a.code)
		}
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func (c *client) deletePolicy(ctx context.Context) {
	p, ok := pick(c, c.livePolicies())
	if !ok {
		c.createPolicy(ctx)
		return
	}
	inUse, maybe := c.policyInUse(p)
	a := c.request(ctx, opDeletePolicy, http.MethodDelete, policiesPath+"/"+strconv.FormatInt(p.id, 10), nil)
	switch {
	case a.unknown:
		p.uncertain = true
	case a.ok():
		if inUse {
			c.rep.violation("export policy %s deleted while a qtree uses it", p.name)
		}
		p.deleted = true
	case a.failed(1703953) && (inUse || maybe):
		// A qtree uses it, as ONTAP refuses.
	default:
		c.rep.violation("DELETE of own export policy %s (in use %v, maybe %v): %d %s", p.name, inUse, maybe, a.status, a.code)
	}
}

// ---- qtrees ----

func (c *client) createQtree(ctx context.Context) {
	v := c.pickLive(func(v *volume) bool { return len(liveQtrees(v)) < maxQtreesPerVol })
	if v == nil {
		if len(c.live()) == 0 {
			c.createVolume(ctx)
		} else {
			c.deleteQtree(ctx)
		}
		return
	}
	name := c.name("q")
	body := map[string]any{"name": name, "volume": map[string]any{"uuid": v.uuid}, "svm": map[string]any{"name": "svm0"}}
	var pol *policy
	if ps := c.livePolicies(); len(ps) > 0 && c.rng.IntN(2) == 0 {
		pol = ps[c.rng.IntN(len(ps))]
		body["export_policy"] = map[string]any{"name": pol.name}
	}
	a := c.mutate(ctx, opCreateQtree, http.MethodPost, qtreesPath, body, true)
	q := &qtree{name: name, policy: pol}
	switch {
	case a.unknown:
		q.uncertain = true
		v.qtrees = append(v.qtrees, q)
		return
	case !a.ok():
		c.rep.violation("qtree %s in own volume %s: %d %s", name, v.name, a.status, a.code)
		return
	}
	rec, ok := firstRecord(a.body)
	id, hasID := jsonpath.Int(rec, "id")
	if !ok || !hasID {
		r := c.request(ctx, opCreateQtree, http.MethodGet, qtreesPath+"?fields=id&volume.uuid="+v.uuid+"&name="+url.QueryEscape(name), nil)
		rec, ok = firstRecord(r.body)
		id, hasID = jsonpath.Int(rec, "id")
		if !r.ok() || !ok || !hasID {
			c.rep.violation("qtree %s in %s: acknowledged, but not found by name", name, v.name)
			q.uncertain = true
			v.qtrees = append(v.qtrees, q)
			return
		}
	}
	q.id = id
	v.qtrees = append(v.qtrees, q)
}

// pickQtree picks a live qtree of a live volume.
func (c *client) pickQtree() (*volume, *qtree) {
	v := c.pickLive(func(v *volume) bool { return len(liveQtrees(v)) > 0 })
	if v == nil {
		return nil, nil
	}
	q, _ := pick(c, liveQtrees(v))
	return v, q
}

func (c *client) patchQtree(ctx context.Context) {
	v, q := c.pickQtree()
	if q == nil {
		c.createQtree(ctx)
		return
	}
	body := map[string]any{}
	name, pol := q.name, q.policy
	if c.rng.IntN(2) == 0 {
		name = c.name("qr")
		body["name"] = name
	} else {
		pol = nil
		polName := "default"
		if ps := c.livePolicies(); len(ps) > 0 && c.rng.IntN(3) > 0 {
			pol = ps[c.rng.IntN(len(ps))]
			polName = pol.name
		}
		body["export_policy"] = map[string]any{"name": polName}
	}
	a := c.mutate(ctx, opPatchQtree, http.MethodPatch, qtreesPath+"/"+v.uuid+"/"+strconv.FormatInt(q.id, 10), body, false)
	switch {
	case a.unknown:
		q.uncertain = true
		if pol != nil {
			pol.uncertain = true // a qtree may use it
		}
	case a.ok():
		q.name, q.policy = name, pol
	default:
		c.rep.violation("PATCH of own qtree %s in %s: %d %s", q.name, v.name, a.status, a.code)
	}
}

func (c *client) deleteQtree(ctx context.Context) {
	v, q := c.pickQtree()
	if q == nil {
		c.createQtree(ctx)
		return
	}
	a := c.mutate(ctx, opDeleteQtree, http.MethodDelete, qtreesPath+"/"+v.uuid+"/"+strconv.FormatInt(q.id, 10), nil, false)
	switch {
	case a.unknown:
		q.uncertain = true
	case a.ok():
		q.deleted = true
		if q.rule != nil {
			q.rule.deleted = true // its quota rule goes with it
		}
	default:
		c.rep.violation("DELETE of own qtree %s in %s: %d %s", q.name, v.name, a.status, a.code)
	}
}

// ---- LUNs, igroups, maps ----

func (c *client) createLUN(ctx context.Context) {
	v := c.pickLive(func(v *volume) bool { return len(liveLUNs(v)) < maxLUNsPerVol })
	if v == nil {
		if len(c.live()) == 0 {
			c.createVolume(ctx)
		} else {
			c.deleteLUN(ctx)
		}
		return
	}
	l := &lun{lname: c.name("l"), size: int64(c.rng.IntN(4)+1) << 20, comment: fmt.Sprintf("l%d", c.rng.IntN(1000)), maps: map[string]int64{}}
	a := c.request(ctx, opCreateLUN, http.MethodPost, lunsPath+"?return_records=true", map[string]any{
		"name": "/vol/" + v.name + "/" + l.lname, "os_type": "linux", "space": map[string]any{"size": l.size},
		"comment": l.comment, "svm": map[string]any{"name": "svm0"}})
	switch {
	case a.unknown:
		l.uncertain = true
		v.luns = append(v.luns, l)
		return
	case a.failed(5374125) && v.cloned:
		// A clone holds copies of its parent's LUNs: it may be full.
		return
	case !a.ok():
		c.rep.violation("LUN %s in own volume %s: %d %s", l.lname, v.name, a.status, a.code)
		return
	}
	rec, _ := firstRecord(a.body)
	l.uuid = jsonpath.String(rec, "uuid")
	if l.uuid == "" {
		c.rep.violation("LUN %s: no uuid in %.200s", l.lname, a.body)
		return
	}
	v.luns = append(v.luns, l)
}

// pickIn picks, with its volume, one of the objects kids gives of the
// client's live volumes that keep accepts (any, with a nil keep).
func pickIn[T any](c *client, kids func(*volume) []*T, keep func(*T) bool) (*volume, *T) {
	var vs []*volume
	var xs []*T
	for _, v := range c.live() {
		for _, x := range kids(v) {
			if keep == nil || keep(x) {
				vs, xs = append(vs, v), append(xs, x)
			}
		}
	}
	if len(xs) == 0 {
		return nil, nil
	}
	i := c.rng.IntN(len(xs))
	return vs[i], xs[i]
}

func (c *client) pickLUN(filter func(*lun) bool) (*volume, *lun) {
	return pickIn(c, liveLUNs, filter)
}

func (c *client) patchLUN(ctx context.Context) {
	v, l := c.pickLUN(nil)
	if l == nil {
		c.createLUN(ctx)
		return
	}
	comment, size := fmt.Sprintf("p%d", c.rng.IntN(1000)), l.size
	body := map[string]any{"comment": comment}
	if l.size < 6<<20 && c.rng.IntN(2) == 0 {
		size = l.size + 1<<20 // LUNs only grow
		body["space"] = map[string]any{"size": size}
	}
	a := c.request(ctx, opPatchLUN, http.MethodPatch, lunsPath+"/"+l.uuid, body)
	switch {
	case a.unknown:
		l.uncertain = true
	case a.ok():
		l.comment, l.size = comment, size
	case a.failed(5374125) && v.cloned:
	default:
		c.rep.violation("PATCH of own LUN %s in %s: %d %s", l.lname, v.name, a.status, a.code)
	}
}

func (c *client) deleteLUN(ctx context.Context) {
	v, l := c.pickLUN(nil)
	if l == nil {
		c.createLUN(ctx)
		return
	}
	path := lunsPath + "/" + l.uuid
	mapped := len(l.maps) > 0
	force := mapped && c.rng.IntN(2) == 0
	if force {
		path += "?allow_delete_while_mapped=true"
	}
	a := c.request(ctx, opDeleteLUN, http.MethodDelete, path, nil)
	switch {
	case a.unknown:
		l.uncertain = true
	case a.ok():
		if mapped && !force {
			c.rep.violation("mapped LUN %s deleted without allow_delete_while_mapped", l.lname)
		}
		l.deleted = true
		l.maps = nil
	case a.failed(1254197) && (mapped || l.uncertain) && !force:
		// Mapped (or maybe, after a map create was cut off): refused,
		// as ONTAP does.
	default:
		c.rep.violation("DELETE of own LUN %s in %s (mapped %v, forced %v): %d %s", l.lname, v.name, mapped, force, a.status, a.code)
	}
}

func (c *client) createIgroup(ctx context.Context) {
	if len(c.liveIgroups()) >= maxIgroups {
		c.deleteIgroup(ctx)
		return
	}
	g := &igroup{name: c.name("g")}
	a := c.request(ctx, opCreateIgroup, http.MethodPost, igroupsPath+"?return_records=true", map[string]any{
		"name": g.name, "os_type": "linux", "protocol": "iscsi", "svm": map[string]any{"name": "svm0"},
		"initiators": []any{map[string]any{"name": fmt.Sprintf("iqn.2026-12.dev.nessie:soak-c%02d-%d", c.id, c.seq)}}})
	switch {
	case a.unknown:
		g.uncertain = true
		c.igroups = append(c.igroups, g)
		return
	case !a.ok():
		c.rep.violation("igroup %s: %d %s", g.name, a.status, a.code)
		return
	}
	rec, _ := firstRecord(a.body)
	if g.uuid = jsonpath.String(rec, "uuid"); g.uuid == "" {
		c.rep.violation("igroup %s: no uuid in %.200s", g.name, a.body)
		return
	}
	c.igroups = append(c.igroups, g)
}

// mapsOf lists the model's maps of an igroup: LUN -> number.
func (c *client) mapsOf(g *igroup) map[*lun]int64 {
	out := map[*lun]int64{}
	for _, v := range c.vols {
		if v.deleted {
			continue
		}
		for _, l := range v.luns {
			if n, ok := l.maps[g.uuid]; ok && !l.deleted {
				out[l] = n
			}
		}
	}
	return out
}

func (c *client) deleteIgroup(ctx context.Context) {
	g, ok := pick(c, c.liveIgroups())
	if !ok {
		c.createIgroup(ctx)
		return
	}
	maps := c.mapsOf(g)
	path := igroupsPath + "/" + g.uuid
	if len(maps) > 0 || g.mapsUncertain { // a map whose create was cut off may exist
		path += "?allow_delete_while_mapped=true"
	}
	a := c.request(ctx, opDeleteIgroup, http.MethodDelete, path, nil)
	switch {
	case a.unknown:
		g.uncertain = true
		for l := range maps {
			l.uncertain = true
		}
	case a.ok():
		g.deleted = true
		for l := range maps {
			delete(l.maps, g.uuid)
		}
	default:
		c.rep.violation("DELETE of own igroup %s (%d maps): %d %s", g.name, len(maps), a.status, a.code)
	}
}

func (c *client) mapLUN(ctx context.Context) {
	g, ok := pick(c, c.liveIgroups())
	if !ok {
		c.createIgroup(ctx)
		return
	}
	v, l := c.pickLUN(func(l *lun) bool { _, m := l.maps[g.uuid]; return !m })
	if l == nil {
		c.createLUN(ctx)
		return
	}
	// The lowest number free in the igroup is assigned (known unless an
	// answer about one of its maps was lost).
	used, known := map[int64]bool{}, !g.mapsUncertain
	for l, n := range c.mapsOf(g) {
		used[n] = true
		known = known && !l.uncertain
	}
	for _, v := range c.vols {
		known = known && !v.uncertain
	}
	var want int64
	for used[want] {
		want++
	}
	a := c.request(ctx, opMapLUN, http.MethodPost, lunMapsPath+"?return_records=true", map[string]any{
		"svm": map[string]any{"name": "svm0"}, "lun": map[string]any{"uuid": l.uuid}, "igroup": map[string]any{"uuid": g.uuid}})
	switch {
	case a.unknown:
		l.uncertain = true
		g.mapsUncertain = true
	case a.ok():
		rec, _ := firstRecord(a.body)
		n, has := jsonpath.Int(rec, "logical_unit_number")
		if !has || known && n != want {
			c.rep.violation("map of %s to %s: number %v (%v), want the lowest free %d", l.lname, g.name, n, has, want)
		}
		l.maps[g.uuid] = n
	default:
		c.rep.violation("map of own LUN %s in %s to own igroup %s: %d %s", l.lname, v.name, g.name, a.status, a.code)
	}
}

func (c *client) unmapLUN(ctx context.Context) {
	v, l := c.pickLUN(func(l *lun) bool { return len(l.maps) > 0 })
	if l == nil {
		c.mapLUN(ctx)
		return
	}
	gs := make([]string, 0, len(l.maps))
	for g := range l.maps {
		gs = append(gs, g)
	}
	slices.Sort(gs)
	g := gs[c.rng.IntN(len(gs))]
	a := c.request(ctx, opUnmapLUN, http.MethodDelete, lunMapsPath+"/"+l.uuid+"/"+g, nil)
	switch {
	case a.unknown:
		l.uncertain = true
	case a.ok():
		delete(l.maps, g)
	default:
		c.rep.violation("unmap of own LUN %s in %s from %s: %d %s", l.lname, v.name, g, a.status, a.code)
	}
}
