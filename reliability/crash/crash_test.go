package crash

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nessie-go/nessie/internal/cli"
	"github.com/nessie-go/nessie/reliability/harness"
	"github.com/nessie-go/nessie/reliability/soak"
)

// The test binary doubles as the daemon: with childEnv set it runs the
// nessie command line (internal/cli, exactly what cmd/nessie runs) with
// the arguments in argsEnv, instead of the tests.
const (
	childEnv = "NESSIE_CRASH_CHILD"
	argsEnv  = "NESSIE_CRASH_ARGS"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		var args []string
		if err := json.Unmarshal([]byte(os.Getenv(argsEnv)), &args); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(cli.Main(context.Background(), args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil && n > 0 {
		return n
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil && d > 0 {
		return d
	}
	return def
}

// daemon is the nessie process under test, restarted on one data
// directory and port. While it is down, the gate holds new connections
// back, so only requests in flight at the kill see it die.
type daemon struct {
	t        *testing.T
	dataDir  string
	addr     string
	password string

	gateMu sync.Mutex
	gate   chan struct{} // closed while the daemon is up
	cmd    *exec.Cmd
	exit   chan struct{}
	errb   *bytes.Buffer

	transport *http.Transport
	startups  []time.Duration
}

func newDaemon(t *testing.T) *daemon {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	d := &daemon{t: t, dataDir: filepath.Join(t.TempDir(), "data"), addr: addr, password: "crash-" + rand.Text(), gate: make(chan struct{})}
	close(d.gate)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	d.transport = &http.Transport{
		MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			d.gateMu.Lock()
			up := d.gate
			d.gateMu.Unlock()
			select {
			case <-up:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return dialer.DialContext(ctx, network, a)
		},
	}
	t.Cleanup(func() {
		d.kill()
		d.transport.CloseIdleConnections()
	})
	return d
}

func (d *daemon) target() *harness.Target {
	return &harness.Target{
		URL: "http://" + d.addr, Addr: d.addr, Username: "admin", Password: d.password,
		Client: &http.Client{Transport: d.transport, Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// start launches the daemon and waits until it answers.
func (d *daemon) start() error {
	args, _ := json.Marshal([]string{"serve", "--store", "durable", "--data-dir", d.dataDir,
		"--listen", d.addr, "--http", "--log-level", "warn"})
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1", argsEnv+"="+string(args), "NESSIE_ADMIN_PASSWORD="+d.password)
	d.errb = &bytes.Buffer{}
	cmd.Stderr = d.errb
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	d.cmd, d.exit = cmd, make(chan struct{})
	go func(exit chan struct{}) { cmd.Wait(); close(exit) }(d.exit)
	probe := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-d.exit:
			return fmt.Errorf("daemon exited while starting: %v\n%s", cmd.ProcessState, d.errb)
		default:
		}
		req, _ := http.NewRequest("GET", "http://"+d.addr+"/api/cluster?fields=version", nil)
		req.SetBasicAuth("admin", d.password)
		if resp, err := probe.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				d.startups = append(d.startups, time.Since(begin))
				return nil
			}
		}
		if time.Since(begin) > 30*time.Second {
			return fmt.Errorf("daemon not ready after 30s\n%s", d.errb)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (d *daemon) kill() {
	if d.cmd == nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exit
	d.cmd = nil
}

// crashAndRestart kills the daemon with SIGKILL and starts it again on
// the same data directory, holding new connections back meanwhile.
func (d *daemon) crashAndRestart() error {
	d.gateMu.Lock()
	d.gate = make(chan struct{})
	d.gateMu.Unlock()
	defer func() {
		d.gateMu.Lock()
		close(d.gate)
		d.gateMu.Unlock()
	}()
	d.kill()
	d.transport.CloseIdleConnections()
	return d.start()
}

func (d *daemon) reset() {
	d.t.Helper()
	req, _ := http.NewRequest("POST", "http://"+d.addr+"/nessie/v1/reset", nil)
	req.SetBasicAuth("admin", d.password)
	resp, err := (&http.Client{Transport: d.transport}).Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		d.t.Fatalf("reset: %d", resp.StatusCode)
	}
}

// TestCrash runs cycles of the soak mix against a durable daemon; in each
// cycle the daemon is killed with SIGKILL at a random moment of the load
// phase and restarted, and the soak's verifier then checks the restarted
// daemon's state against every client's model of what was acknowledged.
func TestCrash(t *testing.T) {
	cycles := envInt("NESSIE_CRASH_CYCLES", 3)
	cycleLen := envDuration("NESSIE_CRASH_CYCLE", 1500*time.Millisecond)
	clients := envInt("NESSIE_CRASH_CLIENTS", 8)
	seed := uint64(envInt("NESSIE_CRASH_SEED", int(time.Now().UnixNano()%(1<<31))))
	rng := mrand.New(mrand.NewPCG(seed, 0))
	t.Logf("%d cycles of %v, %d clients, seed %d", cycles, cycleLen, clients, seed)

	d := newDaemon(t)
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
	tgt := d.target()
	var requests, transportErrs, finalVols, finalSnaps, finalClones int64
	var objs [10]int // the final objects, summed over the cycles
	for c := range cycles {
		d.reset()
		killAt := time.Duration(float64(cycleLen) * (0.15 + 0.7*rng.Float64()))
		restarted := make(chan error, 1)
		go func() {
			time.Sleep(killAt)
			restarted <- d.crashAndRestart()
		}()
		rep, err := soak.Run(t.Context(), tgt, soak.Config{Duration: cycleLen, Clients: clients, Seed: seed + uint64(c)*1000})
		if rerr := <-restarted; rerr != nil {
			t.Fatalf("cycle %d: restart: %v", c, rerr)
		}
		if err != nil {
			t.Fatal(err)
		}
		requests += rep.Requests()
		transportErrs += int64(len(rep.TransportErrors()))
		finalVols += int64(rep.FinalVolumes)
		finalSnaps += int64(rep.FinalSnapshots)
		finalClones += int64(rep.FinalClones)
		for i, n := range []int{rep.FinalPolicies, rep.FinalQtrees, rep.FinalLUNs, rep.FinalIgroups, rep.FinalMaps,
			rep.FinalSnapPolicies, rep.FinalQoSPolicies, rep.FinalShares, rep.FinalQuotaRules, rep.FinalSVMs} {
			objs[i] += n
		}
		for _, v := range rep.Violations() {
			t.Errorf("cycle %d (killed at %v): %s", c, killAt.Round(time.Millisecond), v)
		}
		for _, e := range rep.ServerErrors() {
			t.Errorf("cycle %d: server error: %s", c, e)
		}
		t.Logf("cycle %d: killed at %v, ready again after %v; %d requests, %d cut off, %d volumes verified",
			c, killAt.Round(time.Millisecond), d.startups[len(d.startups)-1].Round(time.Millisecond),
			rep.Requests(), len(rep.TransportErrors()), rep.FinalVolumes)
		if rep.FinalVolumes == 0 {
			t.Errorf("cycle %d: no volumes survived: the run proves nothing", c)
		}
		if t.Failed() {
			t.Logf("cycle %d summary:\n%s\ndaemon stderr:\n%s", c, rep.Summary(), d.errb)
			return
		}
	}
	st := slices.Clone(d.startups[1:])
	slices.Sort(st)
	t.Logf("crash summary: %d cycles, %d kills, %d requests, %d cut off by the kills; verified after restart: %d volumes, %d snapshots, %d clones; restart to ready: median %v, max %v",
		cycles, cycles, requests, transportErrs, finalVols, finalSnaps, finalClones,
		st[len(st)/2].Round(time.Millisecond), st[len(st)-1].Round(time.Millisecond))
	t.Logf("objects verified after restart: %d export policies, %d qtrees, %d LUNs, %d igroups, %d LUN maps, "+
		"%d snapshot policies, %d QoS policies, %d CIFS shares, %d quota rules, %d SVMs (built-ins included)",
		objs[0], objs[1], objs[2], objs[3], objs[4], objs[5], objs[6], objs[7], objs[8], objs[9])
}
