package server

import (
	"net/http"

	"github.com/nessie-go/nessie/ontap"
)

// The read-only collections below exist on every real cluster and clients
// read them unconditionally: Trident's ontap-nas lists SnapMirror
// relationships before deleting each volume, and a 404 makes it give up
// and leak the volume. A single simulated cluster has no peers and no
// replication, so each answers 200 with no records, through the query
// engine (fields=, filters, order_by and max_records are checked as for
// any collection). SnapMirror relationships and SVM peers take their
// fields from ONTAP's generated schema (ontap.SnapMirrorRelationship,
// ontap.SVMPeer); cluster peers, which the schema does not cover yet, from
// the struct below.

// clusterPeerRemote identifies a peered cluster.
type clusterPeerRemote struct {
	Name         *string  `json:"name,omitempty" ontap:"ro"`
	SerialNumber *string  `json:"serial_number,omitempty" ontap:"ro"`
	IPAddresses  []string `json:"ip_addresses,omitempty"`
}

// clusterPeerStatus is a peer relationship's health.
type clusterPeerStatus struct {
	State      *string `json:"state,omitempty" ontap:"ro"`
	UpdateTime *string `json:"update_time,omitempty" ontap:"ro"`
}

// clusterPeerAuthentication is a peer relationship's authentication.
type clusterPeerAuthentication struct {
	State      *string `json:"state,omitempty"`
	ExpiryTime *string `json:"expiry_time,omitempty"`
	InUse      *string `json:"in_use,omitempty"`
}

// clusterPeerEncryption is a peer relationship's encryption.
type clusterPeerEncryption struct {
	Proposed *string `json:"proposed,omitempty"`
	State    *string `json:"state,omitempty" ontap:"ro"`
}

// clusterPeer is a record of /api/cluster/peers (always empty here).
type clusterPeer struct {
	UUID             *string                    `json:"uuid,omitempty" ontap:"key,ro"`
	Name             *string                    `json:"name,omitempty" ontap:"key"`
	Remote           *clusterPeerRemote         `json:"remote,omitempty"`
	Status           *clusterPeerStatus         `json:"status,omitempty" ontap:"ro"`
	Authentication   *clusterPeerAuthentication `json:"authentication,omitempty"`
	Encryption       *clusterPeerEncryption     `json:"encryption,omitempty"`
	IPSpace          *ontap.Ref                 `json:"ipspace,omitempty"`
	PeerApplications []string                   `json:"peer_applications,omitempty"`
	Links            *ontap.Links               `json:"_links,omitempty" ontap:"key,ro"`
}

var (
	snapmirrorSchema  = ontap.SchemaOf[ontap.SnapMirrorRelationship]()
	svmPeerSchema     = ontap.SchemaOf[ontap.SVMPeer]()
	clusterPeerSchema = ontap.SchemaOf[clusterPeer]()
)

// SnapMirror relationship listing parameters beyond the query engine's:
// both are booleans on ONTAP.
var snapmirrorListParams = []string{"list_destinations_only", "return_unhealthy_relationships_only"}

func (s *Server) listSnapMirrorRelationships(r *http.Request) (result, error) {
	q, err := snapmirrorSchema.ParseQuery(r.URL.Query(), ontap.QueryCollection, snapmirrorListParams...)
	if err != nil {
		return result{}, err
	}
	if err := ontap.CheckParams(q.Extra); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: ontap.Page(q, []ontap.SnapMirrorRelationship{}, "/api/snapmirror/relationships")}, nil
}

func (s *Server) listSVMPeers(r *http.Request) (result, error) {
	return list(r, svmPeerSchema, []ontap.SVMPeer{}, "/api/svm/peers")
}

func (s *Server) listClusterPeers(r *http.Request) (result, error) {
	return list(r, clusterPeerSchema, []clusterPeer{}, "/api/cluster/peers")
}
