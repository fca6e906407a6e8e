package ontap

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// iSCSI service and credential rules (/protocols/san/iscsi/services and
// /protocols/san/iscsi/credentials): one service per SVM, keyed by the
// SVM's UUID; one security credential per initiator of the SVM, including
// the "default" one every service has. The codes are ONTAP 9.16.1's.
const (
	CodeISCSIServiceEnabled    = 5373960 // delete: disable the service first
	CodeISCSIServiceExists     = 5374077 // the SVM already has an iSCSI service
	CodeISCSIServiceNotFound   = 5374078 // the SVM has no iSCSI service
	CodeISCSICredentialExists  = 5374142 // a credential for the initiator exists
	CodeISCSIPasswordHex       = 5374145 // a 0x password needs an even number of hex digits
	CodeISCSIPasswordsEqual    = 5374147 // inbound and outbound passwords must differ
	CodeISCSIInboundRequired   = 5374149 // chap needs inbound user and password
	CodeISCSIOutboundPassword  = 5374150 // an outbound user needs a password
	CodeISCSIDefaultCredential = 5374155 // the default credential cannot be deleted
	CodeISCSICredentialMissing = 5374895 // no credential for the initiator
	CodeISCSIChapNotAllowed    = 5374900 // chap fields with none or deny
	CodeISCSIInitiatorInvalid  = 5373997 // neither an IQN nor an EUI
)

// DefaultISCSIInitiator is the initiator name of an SVM's default
// security credential.
const DefaultISCSIInitiator = "default"

// ISCSITargetName is the iSCSI target name of an SVM's service, in ONTAP's
// form iqn.1992-08.com.netapp:sn.<SVM UUID without dashes>:vs.<SVM id>.
func ISCSITargetName(svmUUID string, svmID int) string {
	return "iqn.1992-08.com.netapp:sn." + strings.ReplaceAll(strings.ToLower(svmUUID), "-", "") + ":vs." + strconv.Itoa(svmID)
}

// CheckISCSIServiceDelete refuses to delete an enabled service.
func CheckISCSIServiceDelete(enabled bool) error {
	if enabled {
		return Errorf(http.StatusConflict, CodeISCSIServiceEnabled, "enabled",
			"The iSCSI service is enabled. The iSCSI service must be disabled before it can be deleted.")
	}
	return nil
}

// ErrISCSIServiceExists is 409 5374077.
func ErrISCSIServiceExists() *Error {
	return Errorf(http.StatusConflict, CodeISCSIServiceExists, "svm", "An iSCSI service already exists for the specified SVM.")
}

// ErrISCSIServiceNotFound is 404 5374078.
func ErrISCSIServiceNotFound() *Error {
	return Errorf(http.StatusNotFound, CodeISCSIServiceNotFound, "svm.uuid", "The SVM does not have an iSCSI service.")
}

// ISCSIChap is a credential's CHAP settings; nil means absent.
type ISCSIChap struct {
	InboundUser, InboundPassword   *string
	OutboundUser, OutboundPassword *string
}

func (c *ISCSIChap) any() bool {
	return c != nil && (c.InboundUser != nil || c.InboundPassword != nil || c.OutboundUser != nil || c.OutboundPassword != nil)
}

// Authentication types of an iSCSI credential.
const (
	ISCSIAuthNone = "none"
	ISCSIAuthCHAP = "chap"
	ISCSIAuthDeny = "deny"
)

// CheckISCSICredential applies ONTAP's rules to a credential's
// authentication type and CHAP settings (on create and on modify, with the
// result of the modify).
func CheckISCSICredential(authType string, chap *ISCSIChap) error {
	switch strings.ToLower(authType) {
	case ISCSIAuthNone, ISCSIAuthDeny:
		if chap.any() {
			return Errorf(http.StatusBadRequest, CodeISCSIChapNotAllowed, "chap",
				"Setting the CHAP authentication properties is not supported with authentication types none or deny.")
		}
		return nil
	case ISCSIAuthCHAP:
	default:
		return ErrInvalidValue("authentication_type", authType, "chap, none, deny")
	}
	if chap == nil || deref(chap.InboundUser) == "" || deref(chap.InboundPassword) == "" {
		return Errorf(http.StatusBadRequest, CodeISCSIInboundRequired, "chap.inbound",
			"The inbound user and password properties are required for CHAP authentication.")
	}
	if chap.OutboundUser != nil && deref(chap.OutboundPassword) == "" {
		return Errorf(http.StatusBadRequest, CodeISCSIOutboundPassword, "chap.outbound.password", "Outbound CHAP authentication requires an outbound password.")
	}
	for _, p := range []struct{ target, v string }{{"chap.inbound.password", deref(chap.InboundPassword)}, {"chap.outbound.password", deref(chap.OutboundPassword)}} {
		if hex, ok := strings.CutPrefix(strings.ToLower(p.v), "0x"); ok && (len(hex)%2 != 0 || hex == "" || !isHex(hex)) {
			return Errorf(http.StatusBadRequest, CodeISCSIPasswordHex, p.target, "The iSCSI security password must contain an even number of valid hex digits.")
		}
	}
	if chap.OutboundPassword != nil && *chap.OutboundPassword == *chap.InboundPassword {
		return Errorf(http.StatusBadRequest, CodeISCSIPasswordsEqual, "chap.outbound.password", "The CHAP inbound and outbound passwords must be different.")
	}
	return nil
}

// CheckISCSICredentialInitiator checks the initiator a new credential is
// for, an iSCSI IQN or EUI (the default credential exists already), and
// returns it in canonical form.
func CheckISCSICredentialInitiator(name string) (string, error) {
	if name == DefaultISCSIInitiator {
		return "", ErrISCSICredentialExists(name)
	}
	c, p, err := CanonicalInitiator(name)
	if oe, ok := err.(*Error); ok && oe.CodeNum() != CodeInitiatorUnknownFormat {
		oe.Target = "initiator"
		return "", oe
	}
	if err != nil || p != IgroupISCSI {
		return "", Errorf(http.StatusBadRequest, CodeISCSIInitiatorInvalid, "initiator",
			"The initiator name %q is invalid. The valid formats are iqn.1995-08.com.example:string or eui.0123456789abcdef.", text.Truncate(name, 64))
	}
	return c, nil
}

// CheckISCSICredentialDelete refuses to delete the default credential.
func CheckISCSICredentialDelete(initiator string) error {
	if initiator == DefaultISCSIInitiator {
		return Errorf(http.StatusBadRequest, CodeISCSIDefaultCredential, "initiator", "The functionality is not supported for the default security credential.")
	}
	return nil
}

// ErrISCSICredentialExists is 409 5374142.
func ErrISCSICredentialExists(initiator string) *Error {
	return Errorf(http.StatusConflict, CodeISCSICredentialExists, "initiator",
		"An iSCSI security credential already exists for initiator %q.", text.Truncate(initiator, 64))
}

// ErrISCSICredentialNotFound is 404 5374895.
func ErrISCSICredentialNotFound() *Error {
	return Errorf(http.StatusNotFound, CodeISCSICredentialMissing, "initiator", "The iSCSI security credential does not exist on the specified SVM.")
}

// ISCSIServiceKind is /api/protocols/san/iscsi/services/{svm.uuid}: at
// most one per SVM, enabled unless the body says otherwise, its target
// named after the SVM; creating it creates the SVM's "default"
// credential, deleting it (once disabled) deletes the SVM's credentials.
// The cluster's SVM has one from the start, as an SVM Trident's
// ontap-san driver uses has.
var ISCSIServiceKind = &Kind{
	Object:    schema.ISCSIService,
	Label:     "iSCSI service",
	Path:      "/api/protocols/san/iscsi/services",
	Key:       "svm.uuid",
	Always:    []string{"enabled", "target"},
	Parents:   []Parent{{Field: "svm", Kind: "svm", NoDefault: true, ClusterSVM: true}},
	Conflicts: func(a, b Extra) *Error { return ErrISCSIServiceExists() },
	Defaults: func(rec Extra) Extra {
		if rec["enabled"] == nil {
			rec = With(rec, "enabled", true)
		}
		return rec
	},
	Complete: func(rec Extra) Extra {
		rec = With(rec, "target.name", ISCSITargetName(LookupString(rec, "svm.uuid"), 2))
		if LookupString(rec, "target.alias") == "" {
			rec = With(rec, "target.alias", LookupString(rec, "svm.name"))
		}
		return rec
	},
	Delete: func(rec Extra) error {
		enabled, _ := rec["enabled"].(bool)
		return CheckISCSIServiceDelete(enabled)
	},
	ClusterBuiltin: func(svm Extra) []Extra { return []Extra{{"svm": svm, "enabled": true}} },
	Also: func(rec Extra) map[string][]Extra {
		return map[string][]Extra{schema.ISCSICredentials.Name: {DefaultISCSICredential(Lookup(rec, "svm").(Extra))}}
	},
	NotFound: svmOr(ErrISCSIServiceNotFound),
}

// ISCSICredentialKind is
// /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}: one per
// initiator (an IQN or EUI, kept in lower case) of an SVM with an iSCSI
// service, which it belongs to; CHAP settings only with authentication
// type chap (leaving chap drops them); the "default" one cannot be
// deleted.
var ISCSICredentialKind = &Kind{
	Object:  schema.ISCSICredentials,
	Label:   "iSCSI credential",
	Path:    "/api/protocols/san/iscsi/credentials",
	Key:     "initiator",
	Scope:   "svm",
	FoldKey: true,
	Always:  []string{"svm", "authentication_type"},
	Parents: []Parent{{Field: "svm", Kind: "svm", NoDefault: true, ClusterSVM: true},
		{Field: "svm", Kind: "iscsi_service", Key: "uuid", Cascade: true, Missing: func() *Error {
			return Errorf(http.StatusNotFound, CodeISCSIServiceNotFound, "svm", "The iSCSI service does not exist.")
		}}},
	Conflicts: func(a, b Extra) *Error {
		if LookupString(a, "initiator") != LookupString(b, "initiator") {
			return nil
		}
		return ErrISCSICredentialExists(LookupString(a, "initiator"))
	},
	Create: func(rec Extra) error {
		init := LookupString(rec, "initiator")
		if init == "" {
			return ErrRequired("initiator")
		}
		if _, err := CheckISCSICredentialInitiator(init); err != nil {
			return err
		}
		auth := LookupString(rec, "authentication_type")
		if auth == "" {
			return ErrRequired("authentication_type")
		}
		return CheckISCSICredential(auth, chapAt(rec))
	},
	Patch: func(old, patch Extra, paths []string) error {
		merged := MergeExtra(old, patch)
		auth := strings.ToLower(LookupString(merged, "authentication_type"))
		chap := chapAt(merged)
		if auth != ISCSIAuthCHAP && patch["chap"] == nil {
			chap = nil // leaving CHAP drops its settings
		}
		return CheckISCSICredential(auth, chap)
	},
	Complete: func(rec Extra) Extra {
		rec = With(rec, "initiator", strings.ToLower(LookupString(rec, "initiator")))
		auth := strings.ToLower(LookupString(rec, "authentication_type"))
		if auth != ISCSIAuthCHAP {
			rec = With(rec, "chap", nil)
		}
		return With(rec, "authentication_type", auth)
	},
	Delete: func(rec Extra) error {
		return CheckISCSICredentialDelete(LookupString(rec, "initiator"))
	},
	NotFound: svmOr(ErrISCSICredentialNotFound),
}

// chapAt reads a credential's CHAP settings.
func chapAt(rec Extra) *ISCSIChap {
	if rec["chap"] == nil {
		return nil
	}
	return &ISCSIChap{InboundUser: stringAt(rec, "chap.inbound.user"), InboundPassword: stringAt(rec, "chap.inbound.password"),
		OutboundUser: stringAt(rec, "chap.outbound.user"), OutboundPassword: stringAt(rec, "chap.outbound.password")}
}

// svmOr is the NotFound of a kind keyed within an SVM: the SVM's 404
// first (2621462), then the kind's.
func svmOr(missing func() *Error) func(View, Extra) *Error {
	return func(v View, key Extra) *Error {
		if _, ok := v.SVM(LookupString(key, "svm.uuid")); !ok {
			return Errorf(http.StatusNotFound, CodeSVMNotFound, "svm.uuid", "An SVM with the specified UUID does not exist.")
		}
		return missing()
	}
}

// DefaultISCSICredential is the credential every iSCSI service has.
func DefaultISCSICredential(svm Extra) Extra {
	return Extra{"svm": svm, "initiator": DefaultISCSIInitiator, "authentication_type": ISCSIAuthNone}
}
