package ontap

import (
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/ontap/schema"
)

// FC Protocol and NVMe service codes, from ONTAP's error tables for
// /protocols/san/fcp/services and /protocols/nvme/services.
const (
	CodeFCPServiceExists   = 5374082  // the SVM already has an FC Protocol service
	CodeFCPServiceEnabled  = 5373960  // an enabled FC Protocol service cannot be deleted
	CodeNVMeServiceExists  = 72089650 // the SVM already has an NVMe service
	CodeNVMeServiceEnabled = 72090028 // an enabled NVMe service cannot be deleted
)

// FCPServiceKind is /api/protocols/san/fcp/services: an SVM's FC Protocol
// target, at most one per SVM (/fcp/services/{svm.uuid}; 5374082),
// enabled unless the body says otherwise, with a target name (a WWNN)
// derived from the SVM. It must be disabled before it is deleted
// (5373960).
var FCPServiceKind = &Kind{
	Object:    schema.FCPService,
	Label:     "FC Protocol service",
	Path:      "/api/protocols/san/fcp/services",
	Key:       "svm.uuid",
	Always:    []string{"enabled", "target"},
	Parents:   []Parent{{Field: "svm", Kind: "svm"}},
	Conflicts: oneService(CodeFCPServiceExists, "a Fibre Channel Protocol service"),
	Defaults:  enabledByDefault,
	Complete: func(rec Extra) Extra {
		return With(rec, "target.name", FCPTargetName(LookupString(rec, "svm.uuid")))
	},
	Delete: func(rec Extra) error {
		if on, _ := Lookup(rec, "enabled").(bool); on {
			return Errorf(http.StatusConflict, CodeFCPServiceEnabled, "svm.uuid",
				"The Fibre Channel Protocol service cannot be removed while it is enabled. Disable it first.")
		}
		return nil
	},
}

// NVMeServiceKind is /api/protocols/nvme/services: an SVM's NVMe service,
// at most one per SVM (/nvme/services/{svm.uuid}; 72089650), enabled
// unless the body says otherwise; it must be disabled before it is
// deleted (72090028).
var NVMeServiceKind = &Kind{
	Object:    schema.NVMeService,
	Label:     "NVMe service",
	Path:      "/api/protocols/nvme/services",
	Key:       "svm.uuid",
	Always:    []string{"enabled"},
	Parents:   []Parent{{Field: "svm", Kind: "svm"}},
	Conflicts: oneService(CodeNVMeServiceExists, "an NVMe service"),
	Defaults:  enabledByDefault,
	Delete: func(rec Extra) error {
		if on, _ := Lookup(rec, "enabled").(bool); on {
			return Errorf(http.StatusConflict, CodeNVMeServiceEnabled, "svm.uuid",
				"The NVMe service is enabled. The NVMe service must be disabled before it can be deleted.")
		}
		return nil
	},
}

func enabledByDefault(rec Extra) Extra {
	if Lookup(rec, "enabled") == nil {
		rec = With(rec, "enabled", true)
	}
	return rec
}

// FCPTargetName is the FC Protocol target's world-wide node name of the
// SVM with that uuid: NetApp's "20:00" prefix and six bytes of the uuid,
// so it is stable and distinct per SVM.
func FCPTargetName(svmUUID string) string {
	hex := strings.ReplaceAll(strings.ToLower(svmUUID), "-", "")
	for len(hex) < 12 {
		hex += "0"
	}
	var b strings.Builder
	b.WriteString("20:00")
	for i := 0; i < 12; i += 2 {
		b.WriteString(":" + hex[i:i+2])
	}
	return b.String()
}
