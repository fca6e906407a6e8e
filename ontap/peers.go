package ontap

// SnapMirrorRelationship is a record of /api/snapmirror/relationships.
// nessie replicates nothing over REST, so the collection is always empty,
// but clients list it unconditionally (Trident, before deleting a volume)
// and use its fields in fields= and filters; every field but the keys
// comes from ONTAP's schema, through Extra.
type SnapMirrorRelationship struct {
	UUID  *string `json:"uuid,omitempty" ontap:"key,ro"`
	Links *Links  `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// SVMPeer is a record of /api/svm/peers: always empty (one cluster, one
// SVM), served for clients that list it, with its fields from ONTAP's
// schema.
type SVMPeer struct {
	UUID  *string `json:"uuid,omitempty" ontap:"key,ro"`
	Links *Links  `json:"_links,omitempty" ontap:"key,ro"`
	// Extra holds the ONTAP fields this struct does not model.
	Extra Extra `json:"-"`
}

// MarshalJSON encodes the record with its Extra fields merged in.
func (v SnapMirrorRelationship) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v SnapMirrorRelationship) AppendJSON(b []byte) []byte {
	return appendItem(b, SchemaOf[SnapMirrorRelationship](), &v, nil)
}

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *SnapMirrorRelationship) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }

// MarshalJSON encodes the record with its Extra fields merged in.
func (v SVMPeer) MarshalJSON() ([]byte, error) { return marshalRecord(&v) }

// AppendJSON appends the record's JSON (see JSONAppender).
func (v SVMPeer) AppendJSON(b []byte) []byte { return appendItem(b, SchemaOf[SVMPeer](), &v, nil) }

// UnmarshalJSON decodes a record, keeping the fields the struct does not
// model in Extra.
func (v *SVMPeer) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, v) }
