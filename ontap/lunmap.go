package ontap

import (
	"net/http"

	"github.com/nessie-go/nessie/internal/text"
)

// LUN map rules (/protocols/san/lun-maps): a map joins one LUN to one
// igroup of the same SVM under a logical unit number unique in the igroup.
// The codes are ONTAP 9.16.1's, except where noted.
const (
	CodeLUNMapLUNNotFound    = 1254201 // POST: the LUN does not exist
	CodeLUNMapExists         = 1254207 // the LUN is already mapped to the igroup
	CodeLUNMapLUNRequired    = 5374901 // neither lun.uuid nor lun.name
	CodeLUNMapIgroupRequired = 5374902 // neither igroup.uuid nor igroup.name
	CodeLUNMapIgroupNotFound = 5374878 // the igroup does not exist (or is in another SVM)
	CodeLUNMapNotFound       = 5374922 // no map joins the LUN and the igroup
	// CodeLUNNumberInUse: ONTAP documents no code for a logical unit number
	// already used in the igroup; nessie answers 409 with code 1
	// (duplicate entry).
	CodeLUNNumberInUse = CodeDuplicateEntry
)

// MaxLogicalUnitNumber is the largest logical unit number.
const MaxLogicalUnitNumber = 4095

// AssignLogicalUnitNumber returns the number a new map in an igroup gets:
// requested if given (in range and free), else the lowest free one. used
// holds the numbers the igroup's maps already have.
func AssignLogicalUnitNumber(requested *int64, used map[int64]bool, igroup string) (int64, error) {
	if requested != nil {
		n := *requested
		if n < 0 || n > MaxLogicalUnitNumber {
			return 0, Errorf(http.StatusBadRequest, CodeInvalidValue, "logical_unit_number",
				"Field \"logical_unit_number\" must be between 0 and %d (got %d).", MaxLogicalUnitNumber, n)
		}
		if used[n] {
			return 0, Errorf(http.StatusConflict, CodeLUNNumberInUse, "logical_unit_number",
				"The logical unit number %d is already in use in initiator group %q.", n, text.Truncate(igroup, 96))
		}
		return n, nil
	}
	for n := int64(0); n <= MaxLogicalUnitNumber; n++ {
		if !used[n] {
			return n, nil
		}
	}
	return 0, Errorf(http.StatusConflict, CodeLUNNumberInUse, "logical_unit_number",
		"Initiator group %q has no free logical unit number (0 to %d are in use).", text.Truncate(igroup, 96), MaxLogicalUnitNumber)
}

// CheckLUNMapRefs checks that a map create names a LUN and an igroup.
func CheckLUNMapRefs(lun, igroup *Ref) error {
	if lun == nil || lun.Name == nil && lun.UUID == nil {
		return Errorf(http.StatusBadRequest, CodeLUNMapLUNRequired, "lun", "Either \"lun.uuid\" or \"lun.name\" must be provided to create a LUN map.")
	}
	if igroup == nil || igroup.Name == nil && igroup.UUID == nil {
		return Errorf(http.StatusBadRequest, CodeLUNMapIgroupRequired, "igroup", "Either \"igroup.uuid\" or \"igroup.name\" must be provided to create a LUN map.")
	}
	return nil
}

// ErrLUNMapExists is 409 1254207.
func ErrLUNMapExists(lun, igroup string) *Error {
	return Errorf(http.StatusConflict, CodeLUNMapExists, "igroup",
		"The LUN %q is already mapped to initiator group %q.", text.Truncate(lun, 96), text.Truncate(igroup, 96))
}

// ErrLUNMapNotFound is 404 5374922.
func ErrLUNMapNotFound() *Error {
	return Errorf(http.StatusNotFound, CodeLUNMapNotFound, "", "The specified LUN map does not exist.")
}

// ErrLUNMapLUNNotFound is 404 1254201 (a map create naming a missing LUN).
func ErrLUNMapLUNNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeLUNMapLUNNotFound, target, "The specified LUN does not exist.")
}

// ErrLUNMapIgroupNotFound is 404 5374878.
func ErrLUNMapIgroupNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeLUNMapIgroupNotFound, target,
		"The specified initiator group does not exist, is not accessible to the caller, or is not in the same SVM as the specified LUN.")
}
