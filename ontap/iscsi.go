package ontap

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
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
