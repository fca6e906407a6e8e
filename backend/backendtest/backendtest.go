package backendtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// Options tunes the suite. A nil *Options, or any zero field, means the
// default.
type Options struct {
	// NamePrefix starts every volume and snapshot name the suite creates,
	// so its objects are recognisable on a shared backend. Default "conf".
	// It must be a valid name of at most 32 bytes. The suite's own names
	// use only letters, digits and '_', so that they also pass ONTAP's
	// stricter volume-name rules at the REST edge; keep the prefix to those.
	NamePrefix string

	// StressWorkers and StressOps size the concurrency case: that many
	// goroutines each make that many mixed calls. Defaults 8 and 100.
	StressWorkers int
	StressOps     int

	// ClockSkew bounds how far a creation time may stray from this
	// machine's clock around the call. Default two minutes; raise it for a
	// remote backend with a drifting clock.
	ClockSkew time.Duration

	// NoAttributes declares that the backend keeps no attributes (see
	// backend.VolumeSpec.Attributes) and refuses non-empty ones with
	// ErrUnsupported, as the REST client does. The attribute cases then
	// check that refusal, and that it has no effect, instead of the
	// round trip.
	NoAttributes bool

	// Teardown makes each case delete the volumes it created when it ends,
	// clones first. Set it when the factory hands out one long-lived
	// backend (a live daemon). Leave it off for fresh backends, so the
	// factory's own cleanup sees each case's final state.
	Teardown bool
}

const maxPrefixLen = 32

// withDefaults returns a validated copy of o with every default filled in.
func (o *Options) withDefaults() (*Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.NamePrefix == "" {
		c.NamePrefix = "conf"
	}
	if err := backend.ValidateName(c.NamePrefix); err != nil || len(c.NamePrefix) > maxPrefixLen {
		return nil, fmt.Errorf("backendtest: NamePrefix %q must be a valid name of at most %d bytes", c.NamePrefix, maxPrefixLen)
	}
	if c.StressWorkers < 0 || c.StressOps < 0 || c.ClockSkew < 0 {
		return nil, errors.New("backendtest: StressWorkers, StressOps and ClockSkew must not be negative")
	}
	if c.StressWorkers == 0 {
		c.StressWorkers = 8
	}
	if c.StressOps == 0 {
		c.StressOps = 100
	}
	if c.ClockSkew == 0 {
		c.ClockSkew = 2 * time.Minute
	}
	return &c, nil
}

// Run runs every case that applies to the backends newBackend makes, each
// as a parallel subtest of t named after the behaviour it checks, for
// example "Volume/Create/DuplicateNameIsAlreadyExists".
//
// newBackend is called once up front to discover the tiers, then once per
// case (twice where a case needs a second backend, as replication between
// backends does). It must return a fresh, empty backend each time,
// registering its own teardown with t.Cleanup. Every backend it returns must implement
// the same tiers. A case's rule is logged at its start, so it shows under
// -v and on failure.
func Run(t *testing.T, newBackend func(t *testing.T) backend.VolumeBackend, opts *Options) {
	t.Helper()
	o, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	probe := newBackend(t)
	if probe == nil {
		t.Fatal("backendtest: newBackend returned nil")
	}
	for _, n := range buildTree(casesFor(probe, o)) {
		runNode(t, n, o, newBackend)
	}
}

// runNode runs a group of cases as a subtest, or one case as a parallel
// leaf subtest.
func runNode(t *testing.T, n *node, o *Options, newBackend func(*testing.T) backend.VolumeBackend) {
	t.Helper()
	if n.c == nil {
		t.Run(n.name, func(t *testing.T) {
			for _, k := range n.kids {
				runNode(t, k, o, newBackend)
			}
		})
		return
	}
	c := n.c
	t.Run(n.name, func(t *testing.T) {
		t.Parallel()
		t.Log("rule: " + c.rule)
		b := newBackend(t)
		if b == nil {
			t.Fatal("backendtest: newBackend returned nil")
		}
		e := newEnv(t.Context(), t, b, o, func() backend.VolumeBackend { return newBackend(t) })
		if o.Teardown {
			t.Cleanup(e.teardown)
		}
		runCase(c, e)
	})
}

// Check runs every case that applies, one after another, and returns nil
// if all pass, or the [errors.Join] of one [*Failure] per failed case. It
// needs no *testing.T, so a command can check a live backend with it.
//
// newBackend is called as for [Run]; it may return a fresh backend or the
// same shared one each time (then set [Options.Teardown]). Check stops early, adding ctx's error,
// once ctx is done.
func Check(ctx context.Context, newBackend func() (backend.VolumeBackend, error), opts *Options) error {
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	probe, err := newBackend()
	if err != nil {
		return fmt.Errorf("backendtest: newBackend: %w", err)
	}
	if probe == nil {
		return errors.New("backendtest: newBackend returned nil")
	}
	var failures []error
	for _, c := range casesFor(probe, o) {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(failures, err)...)
		}
		if f := checkCase(ctx, c, newBackend, o); f != nil {
			failures = append(failures, f)
		}
	}
	return errors.Join(failures...)
}

// checkCase runs one case for Check and returns its failure, if any.
func checkCase(ctx context.Context, c *testCase, newBackend func() (backend.VolumeBackend, error), o *Options) *Failure {
	col := &collector{}
	func() {
		b, err := newBackend()
		if err == nil && b == nil {
			err = errors.New("returned nil")
		}
		if err != nil {
			col.Errorf("newBackend: %v", err)
			return
		}
		peer := func() backend.VolumeBackend {
			p, err := newBackend()
			if err == nil && p == nil {
				err = errors.New("returned nil")
			}
			if err != nil {
				col.Fatalf("newBackend (second backend): %v", err)
			}
			return p
		}
		e := newEnv(ctx, col, b, o, peer)
		if o.Teardown {
			defer e.teardown()
		}
		runCase(c, e)
	}()
	if len(col.problems) == 0 {
		return nil
	}
	return &Failure{Case: c.name, Rule: c.rule, Problems: col.problems}
}

// Failure is one failed case in the error Check returns.
type Failure struct {
	Case     string   // the case's name, e.g. "Volume/Create/DuplicateNameIsAlreadyExists"
	Rule     string   // the contract rule the case checks
	Problems []string // what went wrong, in the order found
}

// Error renders the case name, each problem on its own line, and the rule.
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Case)
	b.WriteString(":")
	for _, p := range f.Problems {
		b.WriteString("\n    ")
		b.WriteString(strings.ReplaceAll(p, "\n", "\n    "))
	}
	b.WriteString("\n    rule: ")
	b.WriteString(f.Rule)
	return b.String()
}

// reporter is the part of testing.TB a case uses; Check supplies a
// collector instead. Fatalf must not return.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// collector is Check's reporter. It is safe for concurrent use; Fatalf
// unwinds the case with a stopCase panic that runCase recovers.
type collector struct {
	mu       sync.Mutex
	problems []string
}

type stopCase struct{}

func (c *collector) Helper() {}

func (c *collector) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *collector) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	panic(stopCase{})
}

// runCase runs one case on its environment. A panic in the backend (or the
// case) becomes a failure of that case rather than the end of the run.
func runCase(c *testCase, e *env) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopCase); ok {
				return
			}
			e.r.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	if missing := c.tier.missingFrom(backend.Tiers(e.b)); missing != "" {
		e.r.Fatalf("newBackend returned a backend without the %s tier, unlike the first one", missing)
	}
	c.run(e)
}

// testCase is one rule check. Cases are written once and run by both Run
// and Check.
type testCase struct {
	name string // hierarchical behaviour sentence, stable across releases
	rule string // the contract clause checked, shown on failure
	tier tier   // the widest tier the case needs
	// restorer: the case needs a backend.Restorer, and a backend of its
	// own (it does not run with Options.Teardown).
	restorer bool
	run      func(e *env)
}

// tier is the tier a case needs.
type tier uint8

const (
	tierVolume tier = iota
	tierSnapshot
	tierClone
	tierReplication
)

// missingFrom names the tier if caps lacks it, else returns "".
func (t tier) missingFrom(caps backend.Capabilities) string {
	switch {
	case t == tierSnapshot && !caps.Snapshots:
		return "snapshot"
	case t == tierClone && !caps.Clones:
		return "clone"
	case t == tierReplication && !caps.Replication:
		return "replication"
	}
	return ""
}

// selectCases returns the cases for a backend with the given tiers, in
// suite order. Absent tiers are not skipped silently: the Capabilities
// cases assert them absent and unclaimed.
func selectCases(tiers backend.Capabilities) []*testCase {
	var out []*testCase
	for _, group := range [][]testCase{
		capabilityCases(), volumeCases(), snapshotCases(), cloneCases(),
		specCases(), replicationCases(), contextCases(), concurrencyCases(),
		updateCases(), restoreCases(),
	} {
		for i := range group {
			if group[i].tier.missingFrom(tiers) == "" {
				out = append(out, &group[i])
			}
		}
	}
	return out
}

// casesFor returns the cases for backends like probe: selectCases, less
// the Restorer cases unless probe implements backend.Restorer and each
// case gets a backend of its own (no Options.Teardown).
func casesFor(probe backend.VolumeBackend, o *Options) []*testCase {
	_, restorer := probe.(backend.Restorer)
	restorer = restorer && !o.Teardown
	var out []*testCase
	for _, c := range selectCases(backend.Tiers(probe)) {
		if !c.restorer || restorer {
			out = append(out, c)
		}
	}
	return out
}

// node is a subtest group (c == nil) or one case.
type node struct {
	name string
	c    *testCase
	kids []*node
}

// buildTree nests cases by the '/'-separated parts of their names, keeping
// first-seen order, so go test -v prints the suite as an outline.
func buildTree(cases []*testCase) []*node {
	var roots []*node
	for _, c := range cases {
		level := &roots
		parts := strings.Split(c.name, "/")
		for _, p := range parts[:len(parts)-1] {
			var n *node
			for _, k := range *level {
				if k.name == p && k.c == nil {
					n = k
				}
			}
			if n == nil {
				n = &node{name: p}
				*level = append(*level, n)
			}
			level = &n.kids
		}
		*level = append(*level, &node{name: parts[len(parts)-1], c: c})
	}
	return roots
}

// newToken returns a short random word that makes one case's names unique
// on a shared backend.
func newToken() string {
	var b [5]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
