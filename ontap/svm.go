package ontap

import (
	"net/http"

	"github.com/nessie-go/nessie/internal/text"
)

// SVM rules for /svm/svms. The codes are ONTAP 9.16.1's, from its error
// tables for that endpoint.
const (
	CodeSVMNameFirstChar = 2621519  // an SVM name starts with a letter or '_'
	CodeSVMNameInUse     = 13434908 // the name is another SVM's, an IPspace's or the cluster's
	CodeSVMNameTooLong   = 13434911 // over 47 characters
)

// MaxSVMNameLen is the longest SVM name (47; 41 for sync-source SVMs,
// which nessie does not create).
const MaxSVMNameLen = 47

// CheckSVMName enforces the SVM name rules: 1 to 47 characters of
// letters, digits, '-', '_' and '.', starting with a letter or '_'.
func CheckSVMName(target, name string) error {
	switch {
	case name == "":
		return ErrRequired(target)
	case len(name) > MaxSVMNameLen:
		return Errorf(http.StatusBadRequest, CodeSVMNameTooLong, target, "Invalid SVM name. Maximum supported length is %d.", MaxSVMNameLen)
	case !isLetter(name[0]) && name[0] != '_':
		return Errorf(http.StatusBadRequest, CodeSVMNameFirstChar, target, "Invalid SVM name %q. The SVM name must begin with a letter or an underscore.", text.Truncate(name, 64))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' {
			return Errorf(http.StatusBadRequest, CodeSVMNameFirstChar, target, "Invalid SVM name %q: only letters, digits, '-', '_' and '.' are allowed.", text.Truncate(name, 64))
		}
	}
	return nil
}

// ErrSVMNameInUse is 409 13434908.
func ErrSVMNameInUse(name string) *Error {
	return Errorf(http.StatusConflict, CodeSVMNameInUse, "name", "Invalid SVM name %q. The name is already in use by another SVM, IPSpace or cluster.", text.Truncate(name, 64))
}

// ErrDefaultSVM refuses to change or delete the cluster's own SVM, which
// every object that names no SVM belongs to (nessie's rule; ONTAP has no
// such SVM).
func ErrDefaultSVM(name string) *Error {
	return Errorf(http.StatusConflict, CodeInUse, "uuid", "SVM %q is the cluster's built-in data SVM; it cannot be modified or deleted.", text.Truncate(name, 64))
}

// More SVM reference codes (ONTAP's tables for every object with an svm).
const (
	CodeSVMMismatch       = 2621706  // svm.uuid and svm.name name different SVMs
	CodeSVMHasADServer    = 2621525  // an SVM with a domain-joined CIFS server cannot be deleted
	CodeSVMSnapshotPolicy = 13434886 // an SVM names a snapshot policy that does not exist
)

// ErrSVMMismatch is 400 2621706.
func ErrSVMMismatch(field string) *Error {
	return Errorf(http.StatusBadRequest, CodeSVMMismatch, field+".name", "The specified %q and %q do not refer to the same SVM.", field+".uuid", field+".name")
}
