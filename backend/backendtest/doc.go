// Package backendtest is the conformance suite for nessie backends: one call
// checks that a backend honours every rule of the [backend] contract, for
// each tier it implements.
//
// A backend author adds one test:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backend.VolumeBackend {
//			b := mybackend.New()
//			t.Cleanup(func() { b.Close() })
//			return b
//		}, nil)
//	}
//
// The factory is called once per case and must return a fresh backend, so
// cases run in parallel and one failure cannot spill into the next. Run the
// test under -race: the concurrency cases find data races only
// statistically. [Check] runs the same cases without a *testing.T and
// returns every failure joined, for commands that check a live backend.
//
// # What is checked
//
// Each case is a subtest named as a behaviour, hierarchically by tier and
// method (e.g. "Volume/Create/DuplicateNameIsAlreadyExists",
// "Clone/Delete/SnapshotInUseByCloneIsInUse"), and states the rule it
// checks; go test -v prints the suite as a specification, and -run selects
// by those names. The names are stable: new rules add cases, they do not
// rename old ones.
//
// Tiers are found by type assertion ([backend.Tiers]) and checked against
// Capabilities in both directions. Nothing is skipped: the cases of a tier
// the backend lacks are not run, and the Capabilities cases assert that the
// tier is then neither implemented nor claimed.
//
// Volumes and snapshots may carry attributes (see [backend.VolumeSpec]);
// the suite checks that they round-trip verbatim and merge as RFC 7386
// patches, or, with [Options.NoAttributes], that the backend refuses them
// with [backend.ErrUnsupported] and no effect. Listings are checked at a
// scale past common page sizes, names for case-sensitivity, and
// concurrent read-modify-write calls for lost updates.
//
// Errors are checked by kind only, with [errors.Is] against the backend
// sentinels (never by message), and every error other than a context error
// must be a [*backend.Error]. Objects the suite creates have names made of
// letters, digits and '_' under [Options.NamePrefix], so they also pass the
// ONTAP REST edge's stricter name rules.
//
// The suite imports only package backend and the standard library.
package backendtest
