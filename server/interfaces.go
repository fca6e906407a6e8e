package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// IP interfaces (LIFs): /api/network/ip/interfaces. The identity's data
// LIF is always there (it is the cluster's management interface too, so it
// cannot be changed or deleted here); clients create, modify and delete
// others on the cluster's node. A LIF's services come from its service
// policy (default-data-files unless named); names and addresses are
// unique; enabled decides state (up or down). The rules are in
// ontap/network.go.

// lifStore holds the LIFs created through the API, by UUID.
type lifStore struct {
	mu   sync.RWMutex
	lifs map[string]ontap.IPInterface
}

func (s *Server) interfaceRoutes() []route {
	ok := []int{http.StatusOK}
	return []route{
		{method: "POST", path: ontap.InterfacesPath, h: s.createInterface, summary: "Create an IP interface on the cluster's node", kind: ontap.QueryMutation, schema: ifSchema, body: "@create", status: []int{http.StatusCreated}},
		{method: "PATCH", path: ontap.InterfacesPath + "/{uuid}", h: s.patchInterface, summary: "Modify an IP interface", kind: ontap.QueryMutation, schema: ifSchema, body: "@modify", status: ok},
		{method: "DELETE", path: ontap.InterfacesPath + "/{uuid}", h: s.deleteInterface, summary: "Delete an IP interface", kind: ontap.QueryMutation, schema: ifSchema, status: ok},
	}
}

// interfaces returns every LIF, the identity's first.
func (s *Server) interfaces() []ontap.IPInterface {
	s.lifs.mu.RLock()
	defer s.lifs.mu.RUnlock()
	return appendByKey([]ontap.IPInterface{ontap.InterfaceRecord(&s.id)}, s.lifs.lifs)
}

func (s *Server) listInterfaces(r *http.Request) (result, error) {
	return list(r, ifSchema, s.interfaces(), ontap.InterfacesPath)
}

func (s *Server) getInterface(r *http.Request) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	for _, l := range s.interfaces() {
		if strings.EqualFold(*l.UUID, id) {
			return one(r, ifSchema, l, *l.UUID)
		}
	}
	return result{}, ontap.ErrNotFound("uuid")
}

// lifConflict reports a LIF other than skip with the name (in the same
// SVM) or the address; the caller holds the lock.
func (s *Server) lifConflict(name, svm, addr, skip string) error {
	all := []ontap.IPInterface{ontap.InterfaceRecord(&s.id)}
	for _, l := range s.lifs.lifs {
		all = append(all, l)
	}
	for _, l := range all {
		if *l.UUID == skip {
			continue
		}
		lsvm := ""
		if l.SVM != nil && l.SVM.UUID != nil {
			lsvm = *l.SVM.UUID
		}
		if name != "" && *l.Name == name && lsvm == svm {
			return ontap.ErrLIFDuplicateName(name)
		}
		if addr != "" && l.IP != nil && l.IP.Address != nil && ontap.SameAddress(*l.IP.Address, addr) {
			return ontap.ErrLIFDuplicateIP(addr)
		}
	}
	return nil
}

// policyByName accepts a service policy given by its name alone
// ("service_policy": "default-data-blocks", as netapp.ontap's
// na_ontap_interface sends it to ONTAP) as the reference {"name": ...}.
func policyByName(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body // the decoder reports what is wrong with it
	}
	var name string
	if raw, ok := m["service_policy"]; !ok || json.Unmarshal(raw, &name) != nil {
		return body
	}
	m["service_policy"], _ = json.Marshal(map[string]string{"name": name})
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// lifNode checks a body's home node (or its home port's node) against the
// cluster's node.
func (s *Server) lifNode(w *ontap.IPInterface) error {
	if n := strPtr(w.Extra, "location.home_port.node.name"); n != nil && *n != s.id.NodeName {
		return ontap.Errorf(http.StatusNotFound, ontap.CodeNotFound, "location.home_port.node.name", "Node %s does not exist.", quote(*n))
	}
	if w.Location == nil || w.Location.HomeNode == nil {
		return nil
	}
	n := w.Location.HomeNode
	if n.Name != nil && *n.Name != s.id.NodeName || n.UUID != nil && !strings.EqualFold(*n.UUID, s.id.NodeUUID) {
		return ontap.Errorf(http.StatusNotFound, ontap.CodeNotFound, "location.home_node.name", "Node %s does not exist.", quote(deref2(n.Name, n.UUID)))
	}
	return nil
}

func deref2(a, b *string) string {
	if a != nil {
		return *a
	}
	if b != nil {
		return *b
	}
	return ""
}

func (s *Server) createInterface(r *http.Request) (result, error) {
	q, err := ifSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	w, _, err := ontap.Decode[ontap.IPInterface](policyByName(body), ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: schema.Post})
	if err != nil {
		return result{}, err
	}
	in := ontap.LIFCreate{Name: w.Name, Scope: w.Scope, SVM: w.SVM != nil && (w.SVM.Name != nil || w.SVM.UUID != nil),
		HomePort: strPtr(w.Extra, "location.home_port.name"), ServicePolicy: strPtr(w.Extra, "service_policy.name")}
	if w.IP != nil {
		in.Address, in.Netmask = w.IP.Address, w.IP.Netmask
	}
	if w.Location != nil && w.Location.HomeNode != nil {
		in.HomeNode = deref3(w.Location.HomeNode)
	}
	family, policy, services, err := ontap.CheckLIFCreate(&in)
	if err != nil {
		return result{}, err
	}
	if err := s.lifNode(w); err != nil {
		return result{}, err
	}
	scope := "svm"
	if w.Scope != nil {
		scope = *w.Scope
	}
	var svm *ontap.Ref
	if in.SVM {
		ref := ontap.Extra{}
		if w.SVM.Name != nil {
			ref["name"] = *w.SVM.Name
		}
		if w.SVM.UUID != nil {
			ref["uuid"] = *w.SVM.UUID
		}
		got, err := s.resolveSVM(ref, "svm")
		if err != nil {
			return result{}, err
		}
		gu := ontap.LookupString(got, "uuid")
		svm = &ontap.Ref{Name: new(ontap.LookupString(got, "name")), UUID: &gu, Links: ontap.SelfLink(ontap.SVMsPath + "/" + gu)}
	}
	id := uuid.NewString()
	enabled := w.Enabled == nil || *w.Enabled
	lif := ontap.IPInterface{UUID: &id, Name: w.Name, Enabled: &enabled, State: new(lifState(enabled)), Scope: &scope, Services: services, SVM: svm,
		IP:       &ontap.IPInfo{Address: w.IP.Address, Netmask: new(strconv.Itoa(prefixOf(*w.IP.Netmask, *w.IP.Address))), Family: &family},
		Location: &ontap.InterfaceLocation{Node: s.id.NodeRef(), HomeNode: s.id.NodeRef()},
		Links:    ontap.SelfLink(ontap.InterfacesPath + "/" + id),
		Extra:    ontap.MergeExtra(w.Extra, ontap.Extra{"service_policy": ontap.Extra{"name": policy}}),
	}
	svmUUID := ""
	if svm != nil {
		svmUUID = *svm.UUID
	}
	s.lifs.mu.Lock()
	defer s.lifs.mu.Unlock()
	if err := s.lifConflict(*w.Name, svmUUID, *w.IP.Address, ""); err != nil {
		return result{}, err
	}
	if svmUUID != "" && !s.svmExists(svmUUID) {
		// Deleted since it was resolved (its LIFs are gone already).
		return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, "svm.uuid", "The specified SVM %q does not exist.", svmUUID)
	}
	s.lifs.lifs[id] = lif
	res := result{status: http.StatusCreated, location: ontap.InterfacesPath + "/" + id, body: struct{}{}}
	if q.ReturnRecords {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{lif}}
	}
	return res, nil
}

func deref3(r *ontap.Ref) *string {
	if r.Name != nil {
		return r.Name
	}
	return r.UUID
}

func lifState(enabled bool) string {
	if enabled {
		return "up"
	}
	return "down"
}

// prefixOf is the prefix length of a checked netmask.
func prefixOf(netmask, addr string) int {
	_, p, _ := ontap.CheckLIFAddress(addr, netmask)
	return p
}

// builtinLIF refuses changes to the identity's LIF.
func (s *Server) builtinLIF(id string) error {
	if strings.EqualFold(id, s.id.LIFUUID) {
		return ontap.Errorf(http.StatusConflict, ontap.CodeInUse, "uuid",
			"The interface %s is the cluster's built-in management and data interface; it cannot be modified or deleted.", quote(s.id.LIFName))
	}
	return nil
}

func (s *Server) patchInterface(r *http.Request) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := ifSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	w, _, err := ontap.Decode[ontap.IPInterface](policyByName(body), ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: schema.Patch})
	if err != nil {
		return result{}, err
	}
	if err := s.builtinLIF(id); err != nil {
		return result{}, err
	}
	if err := s.lifNode(w); err != nil {
		return result{}, err
	}
	s.lifs.mu.Lock()
	defer s.lifs.mu.Unlock()
	old, ok := s.lifs.lifs[strings.ToLower(id)]
	if !ok {
		return result{}, ontap.ErrNotFound("uuid")
	}
	lif := old
	if w.Name != nil {
		if *w.Name == "" {
			return result{}, ontap.ErrRequired("name")
		}
		lif.Name = w.Name
	}
	if w.IP != nil {
		addr, mask := *old.IP.Address, *old.IP.Netmask
		if w.IP.Address != nil {
			addr = *w.IP.Address
		}
		if w.IP.Netmask != nil {
			mask = *w.IP.Netmask
		}
		family, prefix, err := ontap.CheckLIFAddress(addr, mask)
		if err != nil {
			return result{}, err
		}
		lif.IP = &ontap.IPInfo{Address: &addr, Netmask: new(strconv.Itoa(prefix)), Family: &family}
	}
	if w.Enabled != nil {
		lif.Enabled, lif.State = w.Enabled, new(lifState(*w.Enabled))
	}
	if p := strPtr(w.Extra, "service_policy.name"); p != nil {
		name, services, err := ontap.LIFServices(*p)
		if err != nil {
			return result{}, err
		}
		lif.Services = services
		w.Extra = ontap.With(w.Extra, "service_policy.name", name)
	}
	lif.Extra = ontap.MergeExtra(old.Extra, w.Extra)
	svm := ""
	if lif.SVM != nil {
		svm = *lif.SVM.UUID
	}
	if err := s.lifConflict(*lif.Name, svm, *lif.IP.Address, *lif.UUID); err != nil {
		return result{}, err
	}
	s.lifs.lifs[*lif.UUID] = lif
	return result{status: http.StatusOK, body: struct{}{}}, nil
}

func (s *Server) deleteInterface(r *http.Request) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	if _, err := ifSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	if err := s.builtinLIF(id); err != nil {
		return result{}, err
	}
	s.lifs.mu.Lock()
	defer s.lifs.mu.Unlock()
	if _, ok := s.lifs.lifs[strings.ToLower(id)]; !ok {
		return result{}, ontap.ErrNotFound("uuid")
	}
	delete(s.lifs.lifs, strings.ToLower(id))
	return result{status: http.StatusOK, body: struct{}{}}, nil
}
