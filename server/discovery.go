package server

import (
	"context"
	"net/http"
	"net/url"

	"github.com/nessie-go/nessie/ontap"
)

// The discovery objects are one of each: the identity's cluster, node,
// SVM, aggregate and data LIF. Collections go through the same query
// engine as volumes, so filters such as services=data_nfs or
// svm.uuid=<u> and fields=serial_number behave as on ONTAP.

func (s *Server) getCluster(r *http.Request) (result, error) {
	if r.URL.RawQuery == "" && s.clusterJSON != nil {
		return result{status: http.StatusOK, body: s.clusterJSON}, nil
	}
	return s.clusterResult(r.URL.Query())
}

// clusterResult renders the cluster record for query vals.
func (s *Server) clusterResult(vals url.Values) (result, error) {
	q, err := clusterSchema.ParseQuery(vals, ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	rec := ontap.ClusterRecord(&s.id, s.version)
	ontap.Project(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

func (s *Server) getSoftware(r *http.Request) (result, error) {
	q, err := softwareSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	rec := ontap.SoftwareRecord(&s.id, s.version)
	ontap.Project(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

// list serves a collection of prebuilt records.
func list[T any](r *http.Request, schema *ontap.Schema, recs []T, path string) (result, error) {
	q, err := schema.ParseQuery(r.URL.Query(), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: ontap.Page(q, recs, path)}, nil
}

// one serves a single prebuilt record whose UUID is want.
func one[T any](r *http.Request, schema *ontap.Schema, rec T, want string) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := schema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	if id != want {
		return result{}, ontap.ErrNotFound("uuid")
	}
	ontap.Project(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

func (s *Server) listNodes(r *http.Request) (result, error) {
	return list(r, nodeSchema, []ontap.Node{ontap.NodeRecord(&s.id, s.version)}, ontap.NodesPath)
}

func (s *Server) getNode(r *http.Request) (result, error) {
	return one(r, nodeSchema, ontap.NodeRecord(&s.id, s.version), s.id.NodeUUID)
}

func (s *Server) aggregate(ctx context.Context) (ontap.Aggregate, error) {
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return ontap.Aggregate{}, err
	}
	var used int64
	for _, v := range vols {
		used += int64(min(v.UsedBytes, 1<<62))
	}
	return ontap.AggregateRecord(&s.id, used), nil
}

func (s *Server) listAggregates(r *http.Request) (result, error) {
	a, err := s.aggregate(r.Context())
	if err != nil {
		return result{}, err
	}
	return list(r, aggrSchema, []ontap.Aggregate{a}, ontap.AggregatesPath)
}

func (s *Server) getAggregate(r *http.Request) (result, error) {
	a, err := s.aggregate(r.Context())
	if err != nil {
		return result{}, err
	}
	return one(r, aggrSchema, a, s.id.AggregateUUID)
}

// The license packages a cluster needs for what the server does.
var licenses = []string{"base", "nfs", "flexclone", "snaprestore", "snapmirror"}

func (s *Server) listLicenses(r *http.Request) (result, error) {
	recs := make([]ontap.License, len(licenses))
	for i, n := range licenses {
		recs[i] = ontap.License{Name: new(n), Scope: new("cluster"), State: new("compliant"),
			Licenses: []ontap.LicenseEntry{{SerialNumber: new(s.id.NodeSerial), Owner: new(s.id.NodeName), Active: new(true)}},
			Links:    ontap.SelfLink("/api/cluster/licensing/licenses/" + n)}
	}
	return list(r, licenseSchema, recs, "/api/cluster/licensing/licenses")
}

// postEMS accepts an application log entry (Trident's heartbeat) and
// discards it: 200 with an empty object, which clients accept.
func (s *Server) postEMS(r *http.Request) (result, error) {
	if _, err := emptySchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	if _, _, err := ontap.Decode[struct{}](body, ontap.DecodeOptions{IgnoreUnknownFields: true}); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: struct{}{}}, nil
}

// recoveryQueueRecord is a row of the private CLI volume recovery queue.
type recoveryQueueRecord struct {
	Volume  *string `json:"volume,omitempty" ontap:"key"`
	Vserver *string `json:"vserver,omitempty"`
}

// getRecoveryQueue answers Trident's recovery-queue lookup: deletes here
// are immediate, so the queue is always empty.
func (s *Server) getRecoveryQueue(r *http.Request) (result, error) {
	return list(r, recoverySchema, []recoveryQueueRecord{}, "/api/private/cli/volume/recovery-queue")
}

// purgeRecoveryQueue is a successful no-op job (Trident expects 202).
func (s *Server) purgeRecoveryQueue(r *http.Request) (result, error) {
	if _, err := emptySchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	if _, _, err := ontap.Decode[recoveryQueueRecord](body, ontap.DecodeOptions{}); err != nil {
		return result{}, err
	}
	j := s.submit(jobSpec{description: "POST /api/private/cli/volume/recovery-queue/purge",
		run: func(context.Context) (outcome, error) { return outcome{}, nil }})
	return result{status: http.StatusAccepted, body: ontap.JobResponse[any]{Job: new(ontap.NewJobLink(j.id.String()))}}, nil
}

// ontapModeRecord is the private CLI table netapp.ontap's SAN modules read
// to tell an ASA r2 system (whose LUNs live in storage units) from unified
// ONTAP: this cluster is unified ONTAP.
type ontapModeRecord struct {
	ASAR2   *bool `json:"ASA_R2,omitempty" ontap:"key"`
	ASANext *bool `json:"ASA_NEXT,omitempty" ontap:"key"`
}

var ontapModeSchema = ontap.SchemaOf[ontapModeRecord]()

func (s *Server) getOntapMode(r *http.Request) (result, error) {
	return list(r, ontapModeSchema, []ontapModeRecord{{ASAR2: new(false), ASANext: new(false)}}, "/api/private/cli/debug/smdb/table/OntapMode")
}
