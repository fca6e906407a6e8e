package server

import (
	"maps"
	"net/http"
	"sort"
	"strings"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// iSCSI: the service of each SVM (/api/protocols/san/iscsi/services,
// keyed by the SVM's UUID) and its security credentials
// (/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}), the
// "default" one included. The cluster's SVM starts with an enabled
// service, as an SVM Trident's ontap-san driver uses has.

const (
	iscsiServicesPath = "/api/protocols/san/iscsi/services"
	iscsiCredsPath    = "/api/protocols/san/iscsi/credentials"
)

var (
	iscsiServiceSchema = sanSchema(schema.ISCSIService, []string{"svm.uuid"}, "svm", "enabled", "target")
	iscsiCredSchema    = sanSchema(schema.ISCSICredentials, []string{"svm.uuid", "initiator"}, "svm", "initiator", "authentication_type")
)

func (s *Server) iscsiRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	svc, cred := iscsiServicesPath+"/{svm_uuid}", iscsiCredsPath+"/{svm_uuid}/{initiator}"
	return []route{
		{method: "GET", path: iscsiServicesPath, h: s.listISCSIServices, summary: "List iSCSI services", kind: ontap.QueryCollection, schema: iscsiServiceSchema, status: ok},
		{method: "POST", path: iscsiServicesPath, h: s.createISCSIService, summary: "Create an SVM's iSCSI service", kind: ontap.QueryMutation, schema: iscsiServiceSchema, body: "@create", status: made},
		{method: "GET", path: svc, h: s.getISCSIService, summary: "Get an SVM's iSCSI service", kind: ontap.QueryRecord, schema: iscsiServiceSchema, status: ok},
		{method: "PATCH", path: svc, h: s.patchISCSIService, summary: "Enable, disable or rename an SVM's iSCSI service", kind: ontap.QueryMutation, schema: iscsiServiceSchema, body: "@modify", status: ok},
		{method: "DELETE", path: svc, h: s.deleteISCSIService, summary: "Delete an SVM's (disabled) iSCSI service", kind: ontap.QueryMutation, schema: iscsiServiceSchema, status: ok},
		{method: "GET", path: iscsiCredsPath, h: s.listISCSICredentials, summary: "List iSCSI security credentials", kind: ontap.QueryCollection, schema: iscsiCredSchema, status: ok},
		{method: "POST", path: iscsiCredsPath, h: s.createISCSICredential, summary: "Create an iSCSI security credential", kind: ontap.QueryMutation, schema: iscsiCredSchema, body: "@create", status: made},
		{method: "GET", path: cred, h: s.getISCSICredential, summary: "Get an iSCSI security credential", kind: ontap.QueryRecord, schema: iscsiCredSchema, status: ok},
		{method: "PATCH", path: cred, h: s.patchISCSICredential, summary: "Change an iSCSI security credential", kind: ontap.QueryMutation, schema: iscsiCredSchema, body: "@modify", status: ok},
		{method: "DELETE", path: cred, h: s.deleteISCSICredential, summary: "Delete an iSCSI security credential (not the default)", kind: ontap.QueryMutation, schema: iscsiCredSchema, status: ok},
	}
}

// iscsiServiceTree is a new service record; alias "" means the SVM's name.
func iscsiServiceTree(svm ontap.Extra, enabled bool, alias string) ontap.Extra {
	u := ontap.LookupString(svm, "uuid")
	if alias == "" {
		alias = ontap.LookupString(svm, "name")
	}
	return ontap.Extra{"svm": svm, "enabled": enabled,
		"target": ontap.Extra{"name": ontap.ISCSITargetName(u, 2), "alias": alias},
		"_links": selfLink(iscsiServicesPath + "/" + u)}
}

// credentialTree completes a credential record.
func credentialTree(svm, body ontap.Extra) ontap.Extra {
	tree := ontap.MergeExtra(body, ontap.Extra{"svm": svm})
	tree["_links"] = selfLink(iscsiCredsPath + "/" + ontap.LookupString(svm, "uuid") + "/" + ontap.LookupString(tree, "initiator"))
	return tree
}

func (s *Server) listISCSIServices(r *http.Request) (result, error) {
	return s.listSAN(r, iscsiServiceSchema, func(st *sanStore) map[string]ontap.Extra { return st.iscsi },
		func(tree ontap.Extra) ontap.Record { return render(schema.ISCSIService, tree) })
}

func (s *Server) iscsiServiceKey(r *http.Request) (string, error) {
	id, err := pathID(r, "svm_uuid", "svm.uuid")
	if err != nil {
		return "", err
	}
	if id != strings.ToLower(s.id.SVMUUID) {
		return "", ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, "svm.uuid", "An SVM with the specified UUID does not exist.")
	}
	return s.id.SVMUUID, nil
}

func (s *Server) getISCSIService(r *http.Request) (result, error) {
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return result{}, err
	}
	q, err := iscsiServiceSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	tree, ok := s.san.iscsi[id]
	s.san.mu.RUnlock()
	if !ok {
		return result{}, ontap.ErrISCSIServiceNotFound()
	}
	return oneRecord(q, iscsiServiceSchema, render(schema.ISCSIService, tree))
}

func (s *Server) createISCSIService(r *http.Request) (result, error) {
	q, err := iscsiServiceSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.ISCSIService, schema.Post)
	if err != nil {
		return result{}, err
	}
	svm, err := s.sanSVM(body)
	if err != nil {
		return result{}, err
	}
	enabled := true
	if e, ok := body["enabled"].(bool); ok {
		enabled = e
	}
	id := ontap.LookupString(svm, "uuid")
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if _, ok := s.san.iscsi[id]; ok {
		return result{}, ontap.ErrISCSIServiceExists()
	}
	tree := iscsiServiceTree(svm, enabled, ontap.LookupString(body, "target.alias"))
	s.san.iscsi[id] = tree
	s.san.creds[credKey{id, ontap.DefaultISCSIInitiator}] = credentialTree(svm, ontap.Extra{
		"initiator": ontap.DefaultISCSIInitiator, "authentication_type": ontap.ISCSIAuthNone})
	return created(q, iscsiServicesPath+"/"+id, render(schema.ISCSIService, tree)), nil
}

func (s *Server) patchISCSIService(r *http.Request) (result, error) {
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return result{}, err
	}
	q, err := iscsiServiceSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.ISCSIService, schema.Patch)
	if err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	old, ok := s.san.iscsi[id]
	if !ok {
		return result{}, ontap.ErrISCSIServiceNotFound()
	}
	s.san.iscsi[id] = ontap.MergeExtra(old, patch)
	return done(), nil
}

func (s *Server) deleteISCSIService(r *http.Request) (result, error) {
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return result{}, err
	}
	if _, err := iscsiServiceSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	tree, ok := s.san.iscsi[id]
	if !ok {
		return result{}, ontap.ErrISCSIServiceNotFound()
	}
	enabled, _ := tree["enabled"].(bool)
	if err := ontap.CheckISCSIServiceDelete(enabled); err != nil {
		return result{}, err
	}
	delete(s.san.iscsi, id)
	for k := range s.san.creds {
		if k.svm == id {
			delete(s.san.creds, k)
		}
	}
	return done(), nil
}

// ---- credentials ----

func (s *Server) listISCSICredentials(r *http.Request) (result, error) {
	s.san.mu.RLock()
	keys := make([]credKey, 0, len(s.san.creds))
	for k := range s.san.creds {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].svm < keys[j].svm || keys[i].svm == keys[j].svm && keys[i].initiator < keys[j].initiator
	})
	recs := make([]ontap.Record, len(keys))
	for i, k := range keys {
		recs[i] = render(schema.ISCSICredentials, s.san.creds[k])
	}
	s.san.mu.RUnlock()
	return listRecords(r, iscsiCredSchema, recs)
}

func (s *Server) credKeyOf(r *http.Request) (credKey, error) {
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return credKey{}, err
	}
	return credKey{id, strings.ToLower(r.PathValue("initiator"))}, nil
}

func (s *Server) getISCSICredential(r *http.Request) (result, error) {
	k, err := s.credKeyOf(r)
	if err != nil {
		return result{}, err
	}
	q, err := iscsiCredSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	tree, ok := s.san.creds[k]
	s.san.mu.RUnlock()
	if !ok {
		return result{}, ontap.ErrISCSICredentialNotFound()
	}
	return oneRecord(q, iscsiCredSchema, render(schema.ISCSICredentials, tree))
}

// chapOf reads a tree's CHAP settings.
func chapOf(tree ontap.Extra) *ontap.ISCSIChap {
	if tree["chap"] == nil {
		return nil
	}
	return &ontap.ISCSIChap{InboundUser: strPtr(tree, "chap.inbound.user"), InboundPassword: strPtr(tree, "chap.inbound.password"),
		OutboundUser: strPtr(tree, "chap.outbound.user"), OutboundPassword: strPtr(tree, "chap.outbound.password")}
}

func (s *Server) createISCSICredential(r *http.Request) (result, error) {
	q, err := iscsiCredSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.ISCSICredentials, schema.Post)
	if err != nil {
		return result{}, err
	}
	svm, err := s.sanSVM(body)
	if err != nil {
		return result{}, err
	}
	init := ontap.LookupString(body, "initiator")
	if init == "" {
		return result{}, ontap.ErrRequired("initiator")
	}
	canon, err := ontap.CheckISCSICredentialInitiator(init)
	if err != nil {
		return result{}, err
	}
	auth := ontap.LookupString(body, "authentication_type")
	if auth == "" {
		return result{}, ontap.ErrRequired("authentication_type")
	}
	if err := ontap.CheckISCSICredential(auth, chapOf(body)); err != nil {
		return result{}, err
	}
	id := ontap.LookupString(svm, "uuid")
	tree := credentialTree(svm, ontap.With(ontap.With(body, "initiator", canon), "authentication_type", strings.ToLower(auth)))
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if _, ok := s.san.iscsi[id]; !ok {
		return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeISCSIServiceNotFound, "svm", "The iSCSI service does not exist.")
	}
	k := credKey{id, canon}
	if _, ok := s.san.creds[k]; ok {
		return result{}, ontap.ErrISCSICredentialExists(canon)
	}
	s.san.creds[k] = tree
	return created(q, iscsiCredsPath+"/"+id+"/"+canon, render(schema.ISCSICredentials, tree)), nil
}

func (s *Server) patchISCSICredential(r *http.Request) (result, error) {
	k, err := s.credKeyOf(r)
	if err != nil {
		return result{}, err
	}
	q, err := iscsiCredSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.ISCSICredentials, schema.Patch)
	if err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	old, ok := s.san.creds[k]
	if !ok {
		return result{}, ontap.ErrISCSICredentialNotFound()
	}
	// A new tree (MergeExtra returns old itself for an empty patch):
	// stored trees are never modified, and the journal finds changes by
	// identity.
	tree := maps.Clone(ontap.MergeExtra(old, patch))
	auth := strings.ToLower(ontap.LookupString(tree, "authentication_type"))
	if auth != ontap.ISCSIAuthCHAP && patch["chap"] == nil {
		delete(tree, "chap") // leaving CHAP drops its settings
	}
	if err := ontap.CheckISCSICredential(auth, chapOf(tree)); err != nil {
		return result{}, err
	}
	tree["authentication_type"] = auth
	s.san.creds[k] = tree
	return done(), nil
}

func (s *Server) deleteISCSICredential(r *http.Request) (result, error) {
	k, err := s.credKeyOf(r)
	if err != nil {
		return result{}, err
	}
	if _, err := iscsiCredSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	if err := ontap.CheckISCSICredentialDelete(k.initiator); err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if _, ok := s.san.creds[k]; !ok {
		return result{}, ontap.ErrISCSICredentialNotFound()
	}
	delete(s.san.creds, k)
	return done(), nil
}
