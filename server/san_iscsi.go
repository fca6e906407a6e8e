package server

import (
	"maps"
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// iSCSI (ontap.ISCSIServiceKind, ontap.ISCSICredentialKind): POST, PATCH
// and DELETE of the service of each SVM (/api/protocols/san/iscsi/services,
// keyed by the SVM's UUID) and of its security credentials
// (/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}), the
// "default" one included. The cluster's SVM starts with an enabled service
// and its default credential (the kinds' Builtin records), as an SVM
// Trident's ontap-san driver uses has.

func (s *Server) iscsiRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	st, ct := s.table(ontap.ISCSIServiceKind), s.table(ontap.ISCSICredentialKind)
	svc, cred := ontap.ISCSIServiceKind.Path+"/{svm_uuid}", ontap.ISCSICredentialKind.Path+"/{svm_uuid}/{initiator}"
	return []route{
		{method: "POST", path: ontap.ISCSIServiceKind.Path, h: s.createISCSIService, summary: "Create an SVM's iSCSI service", kind: ontap.QueryMutation, schema: st.schema, body: "@create", status: made},
		{method: "PATCH", path: svc, h: s.patchISCSIService, summary: "Enable, disable or rename an SVM's iSCSI service", kind: ontap.QueryMutation, schema: st.schema, body: "@modify", status: ok},
		{method: "DELETE", path: svc, h: s.deleteISCSIService, summary: "Delete an SVM's (disabled) iSCSI service", kind: ontap.QueryMutation, schema: st.schema, status: ok},
		{method: "POST", path: ontap.ISCSICredentialKind.Path, h: s.createISCSICredential, summary: "Create an iSCSI security credential", kind: ontap.QueryMutation, schema: ct.schema, body: "@create", status: made},
		{method: "PATCH", path: cred, h: s.patchISCSICredential, summary: "Change an iSCSI security credential", kind: ontap.QueryMutation, schema: ct.schema, body: "@modify", status: ok},
		{method: "DELETE", path: cred, h: s.deleteISCSICredential, summary: "Delete an iSCSI security credential (not the default)", kind: ontap.QueryMutation, schema: ct.schema, status: ok},
	}
}

// iscsiServiceKey reads the SVM UUID a service's path names (404 2621462
// for an SVM that does not exist).
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

func (s *Server) createISCSIService(r *http.Request) (result, error) {
	t := s.table(ontap.ISCSIServiceKind)
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
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
	var stored ontap.Extra
	err = s.objects.do(func() error {
		if _, ok := t.recs[id]; ok {
			return ontap.ErrISCSIServiceExists()
		}
		var err error
		if stored, err = s.objects.insertLocked(t, ontap.ISCSIServiceRecord(svm, enabled, ontap.LookupString(body, "target.alias")), keep); err != nil {
			return err
		}
		ct := s.table(ontap.ISCSICredentialKind)
		if _, ok := ct.recs[id+"/"+ontap.DefaultISCSIInitiator]; ok {
			return nil
		}
		_, err = s.objects.insertLocked(ct, ontap.DefaultISCSICredential(svm), keep)
		return err
	})
	if err != nil {
		return result{}, err
	}
	return created(q, t.itemPath(stored), s.render(t, stored)), nil
}

func (s *Server) patchISCSIService(r *http.Request) (result, error) {
	t := s.table(ontap.ISCSIServiceKind)
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return result{}, err
	}
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.ISCSIService, schema.Patch)
	if err != nil {
		return result{}, err
	}
	err = s.objects.do(func() error {
		old, ok := t.recs[id]
		if !ok {
			return ontap.ErrISCSIServiceNotFound()
		}
		s.objects.setLocked(t, id, ontap.MergeExtra(old, patch))
		return nil
	})
	if err != nil {
		return result{}, err
	}
	return done(), nil
}

func (s *Server) deleteISCSIService(r *http.Request) (result, error) {
	t := s.table(ontap.ISCSIServiceKind)
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return result{}, err
	}
	if _, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	err = s.objects.do(func() error {
		tree, ok := t.recs[id]
		if !ok {
			return ontap.ErrISCSIServiceNotFound()
		}
		enabled, _ := tree["enabled"].(bool)
		if err := ontap.CheckISCSIServiceDelete(enabled); err != nil {
			return err
		}
		s.objects.deleteLocked(t, id)
		ct := s.table(ontap.ISCSICredentialKind)
		for k, c := range ct.recs {
			if ontap.LookupString(c, "svm.uuid") == id {
				s.objects.drop(ct, k, c)
			}
		}
		return nil
	})
	if err != nil {
		return result{}, err
	}
	return done(), nil
}

// ---- credentials ----

// credKeyOf reads a credential's identity from its path.
func (s *Server) credKeyOf(r *http.Request) (string, error) {
	id, err := s.iscsiServiceKey(r)
	if err != nil {
		return "", err
	}
	return id + "/" + strings.ToLower(r.PathValue("initiator")), nil
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
	t := s.table(ontap.ISCSICredentialKind)
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
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
	tree := ontap.MergeExtra(ontap.With(ontap.With(body, "initiator", canon), "authentication_type", strings.ToLower(auth)), ontap.Extra{"svm": svm})
	var stored ontap.Extra
	err = s.objects.do(func() error {
		if _, ok := s.table(ontap.ISCSIServiceKind).recs[id]; !ok {
			return ontap.Errorf(http.StatusNotFound, ontap.CodeISCSIServiceNotFound, "svm", "The iSCSI service does not exist.")
		}
		if _, ok := t.recs[id+"/"+canon]; ok {
			return ontap.ErrISCSICredentialExists(canon)
		}
		var err error
		stored, err = s.objects.insertLocked(t, tree, keep)
		return err
	})
	if err != nil {
		return result{}, err
	}
	return created(q, t.itemPath(stored), s.render(t, stored)), nil
}

func (s *Server) patchISCSICredential(r *http.Request) (result, error) {
	t := s.table(ontap.ISCSICredentialKind)
	k, err := s.credKeyOf(r)
	if err != nil {
		return result{}, err
	}
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.ISCSICredentials, schema.Patch)
	if err != nil {
		return result{}, err
	}
	err = s.objects.do(func() error {
		old, ok := t.recs[k]
		if !ok {
			return ontap.ErrISCSICredentialNotFound()
		}
		tree := maps.Clone(ontap.MergeExtra(old, patch))
		auth := strings.ToLower(ontap.LookupString(tree, "authentication_type"))
		if auth != ontap.ISCSIAuthCHAP && patch["chap"] == nil {
			delete(tree, "chap") // leaving CHAP drops its settings
		}
		if err := ontap.CheckISCSICredential(auth, chapOf(tree)); err != nil {
			return err
		}
		tree["authentication_type"] = auth
		s.objects.setLocked(t, k, tree)
		return nil
	})
	if err != nil {
		return result{}, err
	}
	return done(), nil
}

func (s *Server) deleteISCSICredential(r *http.Request) (result, error) {
	t := s.table(ontap.ISCSICredentialKind)
	k, err := s.credKeyOf(r)
	if err != nil {
		return result{}, err
	}
	if _, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	_, initiator, _ := strings.Cut(k, "/")
	if err := ontap.CheckISCSICredentialDelete(initiator); err != nil {
		return result{}, err
	}
	err = s.objects.do(func() error {
		c, ok := t.recs[k]
		if !ok {
			return ontap.ErrISCSICredentialNotFound()
		}
		s.objects.drop(t, k, c)
		return nil
	})
	if err != nil {
		return result{}, err
	}
	return done(), nil
}
