package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
)

// route is one served operation. The table drives the mux, the 405
// answers (with Allow) and the OpenAPI document.
type route struct {
	method  string
	path    string // ServeMux path pattern; wildcards are Go identifiers
	h       handlerFunc
	summary string
	kind    ontap.QueryKind // which query parameters it takes
	schema  *ontap.Schema   // the resource it returns or accepts; nil for none
	body    string          // the request body's definition in the OpenAPI document; "" for none
	status  []int           // success statuses
	allow   []string        // extra query parameters it accepts
}

var (
	volumeSchema   = ontap.SchemaOf[ontap.Volume]()
	snapshotSchema = ontap.SchemaOf[ontap.Snapshot]()
	clusterSchema  = ontap.SchemaOf[ontap.Cluster]()
	softwareSchema = ontap.SchemaOf[ontap.ClusterSoftware]()
	nodeSchema     = ontap.SchemaOf[ontap.Node]()
	svmSchema      = ontap.SchemaOf[ontap.SVM]()
	aggrSchema     = ontap.SchemaOf[ontap.Aggregate]()
	ifSchema       = ontap.SchemaOf[ontap.IPInterface]()
	licenseSchema  = ontap.SchemaOf[ontap.License]()
	recoverySchema = ontap.SchemaOf[recoveryQueueRecord]()
	emptySchema    = ontap.SchemaOf[struct{}]()
)

func (s *Server) routeTable() []route {
	ok := []int{http.StatusOK}
	mut := []int{http.StatusAccepted, http.StatusOK}
	create := []int{http.StatusAccepted, http.StatusCreated}
	return append([]route{
		{method: "GET", path: "/api/cluster", h: s.getCluster, summary: "Cluster identity and ONTAP version", kind: ontap.QueryRecord, schema: clusterSchema, status: ok},
		{method: "GET", path: "/api/cluster/software", h: s.getSoftware, summary: "The ONTAP release the cluster runs", kind: ontap.QueryRecord, schema: softwareSchema, status: ok},
		{method: "GET", path: "/api/cluster/nodes", h: s.listNodes, summary: "List nodes", kind: ontap.QueryCollection, schema: nodeSchema, status: ok},
		{method: "GET", path: "/api/cluster/nodes/{uuid}", h: s.getNode, summary: "Get a node", kind: ontap.QueryRecord, schema: nodeSchema, status: ok},
		{method: "GET", path: "/api/cluster/jobs", h: s.listJobs, summary: "List jobs", kind: ontap.QueryCollection, schema: jobSchema, status: ok},
		{method: "GET", path: "/api/cluster/jobs/{uuid}", h: s.getJob, summary: "Get a job", kind: ontap.QueryRecord, schema: jobSchema, status: ok},
		{method: "PATCH", path: "/api/cluster/jobs/{uuid}", h: s.patchJob, summary: "Cancel or pause a job (refused: jobs here cannot be interrupted)", kind: ontap.QueryMutation, status: ok, allow: []string{"action"}},
		{method: "GET", path: "/api/cluster/licensing/licenses", h: s.listLicenses, summary: "List license packages", kind: ontap.QueryCollection, schema: licenseSchema, status: ok},
		{method: "GET", path: "/api/svm/svms", h: s.listSVMs, summary: "List SVMs", kind: ontap.QueryCollection, schema: svmSchema, status: ok},
		{method: "GET", path: "/api/svm/svms/{uuid}", h: s.getSVM, summary: "Get an SVM", kind: ontap.QueryRecord, schema: svmSchema, status: ok},
		{method: "GET", path: "/api/storage/aggregates", h: s.listAggregates, summary: "List aggregates", kind: ontap.QueryCollection, schema: aggrSchema, status: ok},
		{method: "GET", path: "/api/storage/aggregates/{uuid}", h: s.getAggregate, summary: "Get an aggregate", kind: ontap.QueryRecord, schema: aggrSchema, status: ok},
		{method: "GET", path: "/api/network/ip/interfaces", h: s.listInterfaces, summary: "List IP interfaces", kind: ontap.QueryCollection, schema: ifSchema, status: ok},
		{method: "GET", path: "/api/network/ip/interfaces/{uuid}", h: s.getInterface, summary: "Get an IP interface", kind: ontap.QueryRecord, schema: ifSchema, status: ok},
		{method: "GET", path: "/api/cluster/peers", h: s.listClusterPeers, summary: "List cluster peers (always empty: one cluster)", kind: ontap.QueryCollection, schema: clusterPeerSchema, status: ok},
		{method: "GET", path: "/api/svm/peers", h: s.listSVMPeers, summary: "List SVM peers (always empty: one cluster)", kind: ontap.QueryCollection, schema: svmPeerSchema, status: ok},
		{method: "GET", path: "/api/snapmirror/relationships", h: s.listSnapMirrorRelationships, summary: "List SnapMirror relationships (always empty: no replication over REST)", kind: ontap.QueryCollection, schema: snapmirrorSchema, status: ok, allow: snapmirrorListParams},
		{method: "POST", path: "/api/support/ems/application-logs", h: s.postEMS, summary: "Accept an application EMS log entry (discarded)", kind: ontap.QueryMutation, body: "ems_application_log", status: ok},
		{method: "GET", path: "/api/private/cli/debug/smdb/table/OntapMode", h: s.getOntapMode, summary: "The ONTAP personality table (not an ASA r2 system)", kind: ontap.QueryCollection, schema: ontapModeSchema, status: ok},
		{method: "GET", path: "/api/private/cli/volume/recovery-queue", h: s.getRecoveryQueue, summary: "Volume recovery queue (always empty: deletes are immediate)", kind: ontap.QueryCollection, schema: recoverySchema, status: ok},
		{method: "POST", path: "/api/private/cli/volume/recovery-queue/purge", h: s.purgeRecoveryQueue, summary: "Purge the volume recovery queue (a no-op job)", kind: ontap.QueryMutation, body: "recovery_queue_purge", status: []int{http.StatusAccepted}},

		{method: "GET", path: "/api/storage/volumes", h: s.listVolumes, summary: "List volumes", kind: ontap.QueryCollection, schema: volumeSchema, status: ok},
		{method: "POST", path: "/api/storage/volumes", h: s.createVolume, summary: "Create a volume or a FlexClone", kind: ontap.QueryMutation, schema: volumeSchema, body: "@create", status: create},
		{method: "PATCH", path: "/api/storage/volumes", h: s.patchVolumes, summary: "Modify the volumes a query selects (at least one filter is required)", kind: ontap.QueryMutationByQuery, schema: volumeSchema, body: "@modify", status: mut, allow: ontap.VolumePatchParams},
		{method: "DELETE", path: "/api/storage/volumes", h: s.deleteVolumes, summary: "Delete the volumes a query selects (at least one filter is required)", kind: ontap.QueryMutationByQuery, schema: volumeSchema, status: mut, allow: ontap.VolumeDeleteParams},
		{method: "GET", path: "/api/storage/volumes/{uuid}", h: s.getVolume, summary: "Get a volume", kind: ontap.QueryRecord, schema: volumeSchema, status: ok},
		{method: "PATCH", path: "/api/storage/volumes/{uuid}", h: s.patchVolume, summary: "Modify, rename, resize, mount, split or restore a volume", kind: ontap.QueryMutation, schema: volumeSchema, body: "@modify", status: mut, allow: ontap.VolumePatchParams},
		{method: "DELETE", path: "/api/storage/volumes/{uuid}", h: s.deleteVolume, summary: "Delete a volume", kind: ontap.QueryMutation, schema: volumeSchema, status: mut, allow: ontap.VolumeDeleteParams},

		{method: "GET", path: "/api/storage/volumes/{vol}/snapshots", h: s.listSnapshots, summary: "List a volume's snapshots", kind: ontap.QueryCollection, schema: snapshotSchema, status: ok},
		{method: "POST", path: "/api/storage/volumes/{vol}/snapshots", h: s.createSnapshot, summary: "Create a snapshot", kind: ontap.QueryMutation, schema: snapshotSchema, body: "@create", status: create},
		{method: "PATCH", path: "/api/storage/volumes/{vol}/snapshots", h: s.patchSnapshots, summary: "Modify the snapshots a query selects (at least one filter is required)", kind: ontap.QueryMutationByQuery, schema: snapshotSchema, body: "@modify", status: mut},
		{method: "DELETE", path: "/api/storage/volumes/{vol}/snapshots", h: s.deleteSnapshots, summary: "Delete the snapshots a query selects (at least one filter is required)", kind: ontap.QueryMutationByQuery, schema: snapshotSchema, status: mut},
		{method: "GET", path: "/api/storage/volumes/{vol}/snapshots/{uuid}", h: s.getSnapshot, summary: "Get a snapshot", kind: ontap.QueryRecord, schema: snapshotSchema, status: ok},
		{method: "PATCH", path: "/api/storage/volumes/{vol}/snapshots/{uuid}", h: s.patchSnapshot, summary: "Rename a snapshot or change its comment", kind: ontap.QueryMutation, schema: snapshotSchema, body: "@modify", status: mut},
		{method: "DELETE", path: "/api/storage/volumes/{vol}/snapshots/{uuid}", h: s.deleteSnapshot, summary: "Delete a snapshot", kind: ontap.QueryMutation, schema: snapshotSchema, status: mut},

		{method: "GET", path: "/docs/api/swagger.yaml", h: s.getSwagger, summary: "This OpenAPI (Swagger 2.0) document", status: ok},
	}, slices.Concat(s.interfaceRoutes(), s.svmRoutes(), s.objectRoutes(), s.policyScheduleRoutes(), s.ownRoutes())...)
}

// withSlashForms adds, for every collection (a path with a GET listing),
// the same operations at the path's trailing-slash form: ONTAP answers
// both, and clients use both (Ansible lists
// /api/protocols/nfs/export-policies/, Location headers name
// /api/storage/volumes/...).
func withSlashForms(rts []route) []route {
	collection := map[string]bool{}
	for _, rt := range rts {
		if rt.method == "GET" && rt.kind == ontap.QueryCollection {
			collection[rt.path] = true
		}
	}
	out := rts
	for _, rt := range rts {
		if collection[rt.path] {
			rt.path += "/{$}"
			rt.summary += " (trailing-slash form)"
			out = append(out, rt)
		}
	}
	return out
}

func (s *Server) buildMux() http.Handler {
	s.routes = withSlashForms(s.routeTable())
	mux := http.NewServeMux()
	methods := map[string][]string{}
	var paths []string
	for _, rt := range s.routes {
		mux.Handle(rt.method+" "+rt.path, s.adapt(s.persisting(rt.method, rt.h)))
		if _, seen := methods[rt.path]; !seen {
			paths = append(paths, rt.path)
		}
		methods[rt.path] = append(methods[rt.path], rt.method)
		if rt.method == "GET" {
			methods[rt.path] = append(methods[rt.path], "HEAD")
		}
	}
	// A known path with another method: 405 with Allow, in the envelope.
	// Method-less patterns lose to the method ones above.
	for _, p := range paths {
		allow := []string{strings.Join(methods[p], ", ")}
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Allow"] = allow
			s.writeJSON(w, http.StatusMethodNotAllowed, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusMethodNotAllowed, ontap.CodeNotSupported, "",
				"The %q method is not supported on %q; allowed: %s.", text.Truncate(r.Method, 16), text.Truncate(r.URL.Path, 200), allow[0])})
		})
	}
	s.controlRoutes(mux)
	mux.Handle("/", s.adapt(func(r *http.Request) (result, error) {
		return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeNotFound, "", "API not found: %q.", text.Truncate(r.URL.Path, 200))
	}))
	return s.front(mux)
}
