package server

import (
	"encoding/json"
	"sync"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// A volume's or snapshot's ONTAP attributes are stored with it in the
// backend (backend.Volume.Attributes), in the same atomic write. attrCache
// only saves parsing them on every read: it maps an object ID to the last
// attributes text seen for it and their parsed form, and is refilled
// whenever the text differs, so it can never serve attributes the backend
// no longer holds.
type attrCache struct {
	m sync.Map // backend.VolumeID or backend.SnapshotID -> *cachedAttrs
}

type cachedAttrs struct {
	raw   string
	attrs *ontap.Attributes
}

func (c *attrCache) get(key any, raw json.RawMessage, parse func(json.RawMessage) (*ontap.Attributes, error)) *ontap.Attributes {
	if v, ok := c.m.Load(key); ok {
		if e := v.(*cachedAttrs); e.raw == string(raw) {
			return e.attrs
		}
	}
	a, err := parse(raw)
	if err != nil {
		// Not written by this layer (another user of the backend stored
		// something else): render without them.
		a, _ = parse(nil)
	}
	c.m.Store(key, &cachedAttrs{raw: string(raw), attrs: a})
	return a
}

// volume returns the attributes v renders with.
func (c *attrCache) volume(v *backend.Volume) *ontap.Attributes {
	if len(v.Attributes) == 0 {
		return ontap.DefaultVolumeAttributes()
	}
	return c.get(v.ID, v.Attributes, ontap.VolumeAttributes)
}

// snapshot returns the attributes sn renders with, or nil.
func (c *attrCache) snapshot(sn *backend.Snapshot) *ontap.Attributes {
	if len(sn.Attributes) == 0 {
		return nil
	}
	return c.get(sn.ID, sn.Attributes, ontap.SnapshotAttributes)
}

func (c *attrCache) forget(key any) { c.m.Delete(key) }
