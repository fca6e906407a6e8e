package backendtest

import "github.com/nessie-go/nessie/backend"

// capabilityCases check capability honesty in both directions. They run
// for every backend, so a tier that is absent is asserted absent and
// unclaimed rather than skipped.
func capabilityCases() []testCase {
	return []testCase{
		{
			name: "Capabilities/AreConsistentAndStable",
			rule: "Capabilities passes Capabilities.Validate (clones and replication need snapshots) and does not change between calls (upstream RA-1)",
			run: func(e *env) {
				c := e.b.Capabilities(e.ctx)
				if err := c.Validate(); err != nil {
					e.errorf("Capabilities() = %+v: %v", c, err)
				}
				if again := e.b.Capabilities(e.ctx); again != c {
					e.errorf("Capabilities() changed between calls: %+v, then %+v", c, again)
				}
			},
		},
		honesty("Capabilities/SnapshotsClaimedExactlyWhenImplemented", "Snapshots", "SnapshotBackend", "upstream RA-2",
			func(c backend.Capabilities) bool { return c.Snapshots }),
		honesty("Capabilities/ClonesClaimedExactlyWhenImplemented", "Clones", "CloneBackend", "upstream RA-3",
			func(c backend.Capabilities) bool { return c.Clones }),
		honesty("Capabilities/ReplicationClaimedExactlyWhenImplemented", "Replication", "ReplicationBackend", "upstream RA-4",
			func(c backend.Capabilities) bool { return c.Replication }),
	}
}

// honesty builds the case for one tier: the claim in Capabilities must
// equal what a type assertion finds.
func honesty(name, field, iface, ref string, pick func(backend.Capabilities) bool) testCase {
	return testCase{
		name: name,
		rule: "Capabilities()." + field + " is true exactly when the backend implements backend." + iface +
			"; a tier is neither claimed without being implemented nor implemented without being claimed (" + ref + ")",
		run: func(e *env) {
			claimed, implemented := pick(e.b.Capabilities(e.ctx)), pick(backend.Tiers(e.b))
			switch {
			case claimed && !implemented:
				e.errorf("Capabilities().%s is true, but %T does not implement backend.%s", field, e.b, iface)
			case !claimed && implemented:
				e.errorf("%T implements backend.%s, but Capabilities().%s is false", e.b, iface, field)
			}
		},
	}
}
