package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// APIError is what the server said when a request or its job failed. It is
// the cause (Err) inside the [*backend.Error] every method returns, so
// callers that need ONTAP's own code can reach it with [errors.As]; the
// [backend.Kind] beside it is what portable code should test.
type APIError struct {
	Method     string // the request's method, e.g. "POST"
	Path       string // the request's path, e.g. "/api/storage/volumes"
	StatusCode int    // the HTTP status; 0 if no response arrived
	Code       string // ONTAP's error code, e.g. "917526"; "" if none
	Message    string // ONTAP's message, or a description of the failure
	Target     string // the field the error concerns, if ONTAP named one
	Job        string // the UUID of the failed job, for asynchronous failures
}

// Error renders the request, the status or failed job, the ONTAP code and
// target, and the message.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Method, e.Path)
	if e.Job != "" {
		fmt.Fprintf(&b, ": job %s failed", e.Job)
	} else if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ", ONTAP error %s", e.Code)
	}
	if e.Target != "" {
		fmt.Fprintf(&b, " (target %s)", e.Target)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// subject names what an operation is about, so that an ONTAP error can be
// turned into a backend error naming the right resource and ID.
type subject struct {
	op       string
	ontapOp  ontap.Op            // the operation in ontap's error table
	resource backend.Resource    // the operation's own resource
	volume   *backend.VolumeID   // the volume the operation addresses, if any
	snapshot *backend.SnapshotID // the snapshot it addresses, if any
	name     string              // the name being created or set, if any
}

func (s subject) errorOf(kind backend.Kind, res backend.Resource, cause error) error {
	be := &backend.Error{Op: s.op, Kind: kind, Resource: res, Err: cause}
	switch {
	case kind == backend.KindNotFound && res == backend.ResourceVolume && s.volume != nil:
		be.ID = s.volume.String()
	case kind == backend.KindNotFound && res == backend.ResourceSnapshot && s.snapshot != nil:
		be.ID = s.snapshot.String()
	case s.name != "":
		be.Name = s.name
	case res == backend.ResourceSnapshot && s.snapshot != nil:
		be.ID = s.snapshot.String()
	case res == backend.ResourceVolume && s.volume != nil:
		be.ID = s.volume.String()
	}
	return be
}

// kindOf maps an ONTAP failure to a backend kind with ontap's code table
// (the inverse of the one the server uses). A code the table does not
// know falls back on the HTTP status where that is unambiguous (400, 404,
// 405); a 409 is not (ONTAP uses it for duplicates and for objects in
// use), nor is a 5xx or a failed job with an unknown code: those are
// internal.
func kindOf(op ontap.Op, e *APIError) backend.Kind {
	if e.StatusCode >= 500 {
		return backend.KindInternal
	}
	if e.Code != "" {
		if k, _, ok := ontap.Classify(op, &ontap.Error{Code: e.Code, Target: e.Target}); ok {
			return k
		}
	}
	if e.Job != "" {
		return backend.KindInternal
	}
	switch e.StatusCode {
	case http.StatusBadRequest:
		return backend.KindInvalidArgument
	case http.StatusNotFound:
		return backend.KindNotFound
	case http.StatusMethodNotAllowed:
		return backend.KindUnsupported
	}
	return backend.KindInternal
}

// missingResource tells from the code or target whether a not-found
// concerns a volume or a snapshot: 1638600 is a snapshot, 524601 a parent
// volume; targets name the field ("volume.uuid",
// "clone.parent_snapshot.name", "restore_to.snapshot.uuid"). ok is false
// when ONTAP did not say (a bare "uuid" target, or none).
func missingResource(e *APIError) (res backend.Resource, ok bool) {
	switch codeNum(e.Code) {
	case ontap.CodeSnapshotNotFound:
		return backend.ResourceSnapshot, true
	case ontap.CodeCloneParentNotFound:
		return backend.ResourceVolume, true
	}
	t := strings.ToLower(e.Target)
	switch {
	case strings.Contains(t, "snapshot"):
		return backend.ResourceSnapshot, true
	case strings.Contains(t, "volume"):
		return backend.ResourceVolume, true
	}
	return "", false
}

// aboutCluster reports whether a not-found concerns the cluster objects the
// client discovered (the SVM, the aggregate) rather than a volume or
// snapshot the caller named.
func aboutCluster(e *APIError) bool {
	switch codeNum(e.Code) {
	case ontap.CodeSVMNotFound, ontap.CodeAggregateNotFound:
		return true
	}
	t := strings.ToLower(e.Target)
	return strings.HasPrefix(t, "svm") || strings.HasPrefix(t, "aggregates") || strings.Contains(t, "parent_svm")
}

// codeNum returns an ONTAP code as a number, or -1 if it is not one.
func codeNum(code string) int {
	n, err := strconv.Atoi(code)
	if err != nil {
		return -1
	}
	return n
}

// refuseAttributes is the client's answer to attributes: ErrInvalidArgument
// if they are not an attributes object at all, as any backend would say,
// else ErrUnsupported. The server owns ONTAP's fields itself and has
// nowhere to keep opaque ones, and dropping them silently would lose data.
func (s subject) refuseAttributes(res backend.Resource, attrs []byte) error {
	if _, err := backend.CompactAttributes(attrs); err != nil {
		return s.errorOf(backend.KindInvalidArgument, res, err)
	}
	return &backend.Error{Op: s.op, Kind: backend.KindUnsupported, Resource: res, Name: s.name,
		Err: errors.New("the REST client keeps no attributes")}
}
