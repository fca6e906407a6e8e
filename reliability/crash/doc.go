// Package crash proves the durable store keeps what it acknowledged: its
// test runs the soak mix (reliability/soak) against the real nessie daemon
// in its own process (--store durable), kills it with SIGKILL at random
// moments, restarts it on the same data directory, and has the soak's
// verifier check that every acknowledged change is present, every
// acknowledged delete is gone, and the invariants hold.
//
// CI runs a few cycles. The long run is the same test with more:
//
//	NESSIE_CRASH_CYCLES=50 NESSIE_CRASH_CYCLE=3s go test ./reliability/crash -run TestCrash -count=1 -timeout 0 -v
package crash
