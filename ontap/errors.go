package ontap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// Error is ONTAP's error object. On the wire it is wrapped as
// {"error": {...}} (see [ErrorResponse]); code is a JSON string holding a
// decimal number. Status is the HTTP status it is sent with and is not
// serialized. *Error is a Go error, so server handlers can return it.
type Error struct {
	Status    int             `json:"-"`
	Message   string          `json:"message"`
	Code      string          `json:"code"`
	Target    string          `json:"target,omitempty"`
	Arguments []ErrorArgument `json:"arguments,omitempty"`
}

// ErrorArgument is one entry of an error's arguments list.
type ErrorArgument struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorResponse is the body of every failed request.
type ErrorResponse struct {
	Error *Error `json:"error"`
}

// Error renders "<message> (code <code>)".
func (e *Error) Error() string {
	if e.Target != "" {
		return fmt.Sprintf("%s (code %s, target %s)", e.Message, e.Code, e.Target)
	}
	return fmt.Sprintf("%s (code %s)", e.Message, e.Code)
}

// CodeNum returns the numeric code, or 0 if it is not a number.
func (e *Error) CodeNum() int {
	n, _ := strconv.Atoi(e.Code)
	return n
}

// Errorf builds an Error with the given HTTP status, numeric code and
// target (which may be empty).
func Errorf(status, code int, target, format string, args ...any) *Error {
	return &Error{Status: status, Code: strconv.Itoa(code), Target: target, Message: fmt.Sprintf(format, args...)}
}

// ONTAP numeric error codes. These numbers are ONTAP's, published in its
// API documentation and matched by clients (Trident compares code strings):
// never change one.
const (
	CodeDuplicateEntry             = 1       // an object with that identifier exists
	CodeInvalidValue               = 2       // field value invalid or missing
	CodeNotSupported               = 3       // operation not supported
	CodeNotFound                   = 4       // "entry doesn't exist"
	CodePermissionDenied           = 6       // not authorized for that command
	CodeInUse                      = 8       // resource in use
	CodeUnexpectedArgument         = 262179  // unknown query parameter
	CodeFieldNotSettable           = 262196  // field cannot be set in this operation
	CodeInvalidField               = 262197  // unknown field (in fields= or a body)
	CodeJobTerminal                = 458762  // the job already finished
	CodeJobCancelUnsupported       = 458784  // the job cannot be cancelled
	CodeJobFailed                  = 460770  // a job failed for an internal reason
	CodeVolumeNotOnlineForSnapshot = 524479  // volume not online (or full): no snapshot
	CodeRestoreFailed              = 524511  // snapshot restore failed
	CodeCloneParentNotFound        = 524601  // FlexClone parent volume not found
	CodeVolumeHasClones            = 524615  // volume delete refused: it has clones
	CodeSnapshotDuplicate          = 525059  // snapshot name taken on the volume
	CodeAggregateRequired          = 787140  // aggregates or style must be given
	CodeAggregateNotFound          = 917508  // the target aggregate does not exist
	CodeVolumeDuplicate            = 917526  // the volume name is a duplicate
	CodeVolumeSizeTooSmall         = 917534  // size below the minimum
	CodeVolumeNotOnline            = 917775  // the volume is not online
	CodeVolumeNameTooLong          = 917886  // volume name over 203 characters
	CodeVolumeNameFirstChar        = 917887  // must start with a letter or '_'
	CodeVolumeNameChar             = 917888  // only letters, digits and '_'
	CodeCloneParentMismatch        = 918236  // parent_volume uuid and name disagree
	CodeCloneSnapshotMismatch      = 918243  // parent_snapshot uuid and name disagree
	CodeCloneVolumeType            = 918244  // invalid volume type for a clone
	CodeCloneFieldInvalid          = 918247  // field not valid with a clone create
	CodeSplitFieldInvalid          = 918248  // field not valid with a clone split
	CodeRestoreFieldInvalid        = 918251  // field not valid with a restore
	CodeNASPathInvalid             = 918252  // "nas.path" is invalid
	CodeVolumeStateInvalid         = 918652  // not online, offline or restricted
	CodeSnapshotNameInvalid        = 1638518 // the snapshot name is invalid
	CodeSnapshotBusy               = 1638555 // snapshot has not expired or is locked (backs a clone)
	CodeSnapshotNotFound           = 1638600 // the snapshot does not exist
	CodeSVMNotFound                = 2621462 // the target SVM does not exist
	CodeSVMRequired                = 2621707 // no SVM was specified
)

// Op names an operation for the error table, where the same backend kind
// means different ONTAP codes (already-exists is 917526 for a volume and
// 525059 for a snapshot).
type Op string

// The operations the table distinguishes.
const (
	OpVolumeGet      Op = "volume.get"
	OpVolumeCreate   Op = "volume.create"
	OpVolumePatch    Op = "volume.patch"
	OpVolumeDelete   Op = "volume.delete"
	OpVolumeRestore  Op = "volume.restore"
	OpCloneCreate    Op = "clone.create"
	OpCloneSplit     Op = "clone.split"
	OpSnapshotGet    Op = "snapshot.get"
	OpSnapshotCreate Op = "snapshot.create"
	OpSnapshotPatch  Op = "snapshot.patch"
	OpSnapshotDelete Op = "snapshot.delete"
)

// Rule is one row of the error table: a backend failure of Kind on
// Resource during Op becomes HTTP Status with ONTAP Code. An empty Op or
// Resource matches any.
type Rule struct {
	Op       Op
	Kind     backend.Kind
	Resource backend.Resource
	Status   int
	Code     int
	// Message is the message template; %s stands for the object's name
	// (or ID) and %v for the backend's detail. Both are filled in one
	// pass, so a name that itself contains "%v" is rendered verbatim.
	Message string
}

// ErrorTable returns a copy of the table that maps backend error kinds to
// ONTAP, in match order: rows are tried in order and the first match wins,
// so specific rows come before general ones. The table itself is not
// exported, so no package can change how errors are reported by editing it.
func ErrorTable() []Rule { return slices.Clone(table) }

var table = []Rule{
	{OpCloneCreate, backend.KindNotFound, backend.ResourceVolume, http.StatusNotFound, CodeCloneParentNotFound, `Parent volume %s not found.`},
	{"", backend.KindNotFound, "", http.StatusNotFound, CodeNotFound, `entry doesn't exist`},
	{OpVolumeCreate, backend.KindAlreadyExists, "", http.StatusConflict, CodeVolumeDuplicate, `Duplicate volume name %s.`},
	{OpCloneCreate, backend.KindAlreadyExists, "", http.StatusConflict, CodeVolumeDuplicate, `Duplicate volume name %s.`},
	{OpVolumePatch, backend.KindAlreadyExists, "", http.StatusConflict, CodeVolumeDuplicate, `Duplicate volume name %s.`},
	{OpSnapshotCreate, backend.KindAlreadyExists, "", http.StatusConflict, CodeSnapshotDuplicate, `A snapshot named %s already exists on this volume.`},
	{OpSnapshotPatch, backend.KindAlreadyExists, "", http.StatusConflict, CodeSnapshotDuplicate, `A snapshot named %s already exists on this volume.`},
	{"", backend.KindAlreadyExists, "", http.StatusConflict, CodeDuplicateEntry, `duplicate entry %s`},
	{OpVolumeDelete, backend.KindInUse, "", http.StatusConflict, CodeVolumeHasClones, `Failed to delete volume %s because it has one or more clones.`},
	{OpSnapshotDelete, backend.KindInUse, "", http.StatusConflict, CodeSnapshotBusy, `Snapshot %s has not expired or is locked: a FlexClone volume depends on it. Split or delete the clone first.`},
	{OpVolumeRestore, backend.KindInUse, "", http.StatusConflict, CodeRestoreFailed, `Failed to restore snapshot %s: %v.`},
	{OpVolumePatch, backend.KindInUse, "", http.StatusConflict, CodeVolumeNotOnline, `Volume %s is not online.`},
	{"", backend.KindInUse, "", http.StatusConflict, CodeInUse, `resource %s is in use`},
	{OpSnapshotCreate, backend.KindInvalidArgument, "", http.StatusBadRequest, CodeSnapshotNameInvalid, `The specified snapshot name is invalid: %v.`},
	{OpSnapshotPatch, backend.KindInvalidArgument, "", http.StatusBadRequest, CodeSnapshotNameInvalid, `The specified snapshot name is invalid: %v.`},
	{"", backend.KindInvalidArgument, "", http.StatusBadRequest, CodeInvalidValue, `Invalid value: %v.`},
	{"", backend.KindUnsupported, "", http.StatusBadRequest, CodeNotSupported, `operation not supported: this cluster's storage backend does not implement %s`},
	{"", backend.KindInternal, "", http.StatusInternalServerError, CodeJobFailed, `Job failed: %v`},
}

// edgeCodes classifies the codes the REST edge produces itself (request
// validation), which no backend kind produces.
var edgeCodes = map[int]struct {
	kind backend.Kind
	res  backend.Resource
}{
	CodeUnexpectedArgument:         {backend.KindInvalidArgument, ""},
	CodeFieldNotSettable:           {backend.KindInvalidArgument, ""},
	CodeInvalidField:               {backend.KindInvalidArgument, ""},
	CodeAggregateRequired:          {backend.KindInvalidArgument, ""},
	CodeVolumeSizeTooSmall:         {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeVolumeNameTooLong:          {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeVolumeNameFirstChar:        {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeVolumeNameChar:             {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeCloneVolumeType:            {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeCloneParentMismatch:        {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeCloneSnapshotMismatch:      {backend.KindInvalidArgument, backend.ResourceSnapshot},
	CodeCloneFieldInvalid:          {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeSplitFieldInvalid:          {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeRestoreFieldInvalid:        {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeNASPathInvalid:             {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeVolumeStateInvalid:         {backend.KindInvalidArgument, backend.ResourceVolume},
	CodeSVMRequired:                {backend.KindInvalidArgument, ""},
	CodeSVMNotFound:                {backend.KindNotFound, ""},
	CodeAggregateNotFound:          {backend.KindNotFound, ""},
	CodeSnapshotNotFound:           {backend.KindNotFound, backend.ResourceSnapshot},
	CodeJobTerminal:                {backend.KindInUse, ""},
	CodeJobCancelUnsupported:       {backend.KindUnsupported, ""},
	CodeVolumeNotOnlineForSnapshot: {backend.KindInUse, backend.ResourceVolume},
	CodePermissionDenied:           {backend.KindInvalidArgument, ""},
}

// FromBackend turns a backend error returned during op into the ONTAP
// error, by the first matching row of [ErrorTable]. An *Error passes through
// unchanged; context errors and foreign errors become internal failures
// (500), never a client error.
func FromBackend(op Op, err error) *Error {
	var oe *Error
	if errors.As(err, &oe) {
		return oe
	}
	kind := backend.KindOf(err)
	res := backend.ResourceOf(err)
	if kind == 0 {
		kind = backend.KindInternal
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("operation abandoned: %w", err)
		}
	}
	r := lookup(op, kind, res)
	var be *backend.Error
	subject, detail := "", err.Error()
	if errors.As(err, &be) {
		switch {
		case be.Name != "":
			subject = strconv.Quote(be.Name)
		case be.ID != "":
			subject = strconv.Quote(be.ID)
		default:
			subject = string(be.Resource)
		}
		if be.Err != nil {
			detail = be.Err.Error()
		} else {
			detail = be.Kind.String()
		}
	}
	e := &Error{Status: r.Status, Code: strconv.Itoa(r.Code), Message: fillMessage(r.Message, subject, detail)}
	if r.Code == CodeNotFound {
		e.Target = notFoundTarget(op, res)
	}
	return e
}

// fillMessage puts subject in place of %s and detail in place of %v, in one
// left-to-right pass over the template: text already substituted is never
// scanned again, so names and details containing verbs stay as they are.
func fillMessage(template, subject, detail string) string {
	return strings.NewReplacer("%s", subject, "%v", detail).Replace(template)
}

func lookup(op Op, kind backend.Kind, res backend.Resource) Rule {
	for _, r := range table {
		if (r.Op == "" || r.Op == op) && r.Kind == kind && (r.Resource == "" || r.Resource == res) {
			return r
		}
	}
	// Unreachable while the table has a catch-all row per kind; keep a
	// safe answer anyway.
	return Rule{Kind: backend.KindInternal, Status: http.StatusInternalServerError, Code: CodeJobFailed, Message: "Job failed: %v"}
}

// notFoundTarget names the field that identified the missing object.
func notFoundTarget(op Op, res backend.Resource) string {
	isSnapOp := op == OpSnapshotGet || op == OpSnapshotCreate || op == OpSnapshotPatch || op == OpSnapshotDelete
	switch {
	case isSnapOp && res == backend.ResourceVolume:
		return "volume.uuid"
	case op == OpCloneCreate && res == backend.ResourceSnapshot:
		return "clone.parent_snapshot"
	case op == OpVolumeRestore && res == backend.ResourceSnapshot:
		return "restore_to.snapshot"
	}
	return "uuid"
}

// Classify maps an ONTAP error back to the backend kind and, where the code
// or target tells, the resource. It is the inverse of [FromBackend] and also
// knows the request-validation codes the REST edge produces. ok is false for
// a code it does not know.
func Classify(op Op, e *Error) (kind backend.Kind, res backend.Resource, ok bool) {
	code := e.CodeNum()
	if code == CodeNotFound {
		return backend.KindNotFound, notFoundResource(op, e.Target), true
	}
	if c, found := edgeCodes[code]; found {
		return c.kind, c.res, true
	}
	var match *Rule
	for i := range table {
		r := &table[i]
		if r.Code != code {
			continue
		}
		if r.Op == op {
			match = r
			break
		}
		if match == nil {
			match = r
		}
	}
	if match == nil {
		return 0, "", false
	}
	res = match.Resource
	switch match.Code {
	case CodeVolumeDuplicate, CodeVolumeHasClones, CodeVolumeNotOnline:
		res = backend.ResourceVolume
	case CodeSnapshotDuplicate, CodeSnapshotBusy, CodeSnapshotNameInvalid:
		res = backend.ResourceSnapshot
	}
	return match.Kind, res, true
}

func notFoundResource(op Op, target string) backend.Resource {
	switch {
	case strings.HasPrefix(target, "volume.") || strings.HasPrefix(target, "clone.parent_volume"):
		return backend.ResourceVolume
	case strings.HasPrefix(target, "clone.parent_snapshot") || strings.HasPrefix(target, "restore_to.snapshot"):
		return backend.ResourceSnapshot
	}
	switch op {
	case OpSnapshotGet, OpSnapshotCreate, OpSnapshotPatch, OpSnapshotDelete:
		return backend.ResourceSnapshot
	}
	return backend.ResourceVolume
}

// Common request errors.

// ErrNotFound is 404 "entry doesn't exist" (code 4) for the object named by
// target.
func ErrNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeNotFound, target, "entry doesn't exist")
}

// ErrInvalidUUID is ONTAP's answer to a malformed UUID in a path: 404 with
// code 2.
func ErrInvalidUUID(target, value string) *Error {
	return Errorf(http.StatusNotFound, CodeInvalidValue, target, "%q is an invalid value for field %q (<UUID>)", text.Truncate(value, 64), target)
}

// ErrInvalidValue is 400 code 2: value is not valid for field; want
// describes the expected form.
func ErrInvalidValue(field, value, want string) *Error {
	return Errorf(http.StatusBadRequest, CodeInvalidValue, field, "%q is an invalid value for field %q (%s)", text.Truncate(value, 64), field, want)
}

// ErrUnknownField is 400 code 262197 for a field the resource does not
// have, named in param ("fields" or "body").
func ErrUnknownField(param, field string) *Error {
	return Errorf(http.StatusBadRequest, CodeInvalidField, param, "The value %q is invalid for field %q (<field,...>)", text.Truncate(field, 64), param)
}

// ErrUnexpectedArgument is 400 code 262179 for an unknown query parameter.
func ErrUnexpectedArgument(name string) *Error {
	return Errorf(http.StatusBadRequest, CodeUnexpectedArgument, name, "Unexpected argument %q.", text.Truncate(name, 64))
}

// ErrNotSettable is 400 code 262196 for a field a request body may not set
// in this operation.
func ErrNotSettable(field string) *Error {
	return Errorf(http.StatusBadRequest, CodeFieldNotSettable, field, "Field %q cannot be set in this operation.", field)
}
