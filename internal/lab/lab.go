//go:build linux

package lab

// # Using the lab from another test package
//
//	l := lab.Start(t)   // skips (with the reason) without root; all removed in t.Cleanup
//	l.ApplyFirewall(lab.Policy{Default: "drop", Rules: []string{"ct state established,related accept", "tcp dport 443 accept"}})
//	out, err := l.Exec(lab.Laptop, "ip", "route")                  // a command in a namespace (bounded)
//	p, err := l.StartProcess(lab.Cloud, "peer", nil, "/path/peer") // background; stopped at cleanup
//	err = l.InNS(lab.Cloud, func() error { ln, err = net.Listen("tcp", lab.PeerAddr+":443"); return err })
//
//	scenarios, _ := lab.Scenarios()  // the internal/lab/scenarios/*.json files
//	l.Apply(scenarios[i])            // firewall, cloud rules and DNS of one scenario
//
// Namespaces are named by role (Laptop, Firewall, Cloud); NS(role) gives the
// real name (unique per lab). The laptop reaches the cloud only through the
// firewall, which NATs it to FirewallWAN; the forward chain of the firewall
// is the scenario (ApplyFirewall). Server addresses and names are the
// constants below and in servers.go (TURNName on TURNAddr: 3478 UDP+TCP,
// TLS on 443; PeerAddr/peerName is free for a WebRTC peer). Names resolve
// through the corporate resolver on the firewall (dnsmasq, tamperable with
// SetCorporateDNS), which forwards to the cloud's authoritative dnsmasq.
// Certificates chain to the lab root CAFile: give it to clients as
// SSL_CERT_FILE. The TURN servers use TURNUser / TURNPassword() (random per
// run); turn-default.lab.test uses turn/turn.
//
// InNS switches one OS thread: only sockets fn creates itself land in the
// namespace. Libraries that open sockets from their own goroutines (pion's
// ICE agent) must run as a separate process: StartProcess or Exec with a
// binary built by the test.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Namespace roles.
const (
	Laptop   = "lap"
	Firewall = "fw"
	Cloud    = "cl"
)

// Addresses inside the lab. The cloud uses documentation ranges that look
// public to rtcprobe's verdict (203.0.113.0/24, 198.51.100.0/24); the laptop
// sits in a private LAN behind the firewall's NAT.
const (
	LaptopAddr   = "10.66.0.2"
	FirewallLAN  = "10.66.0.1"
	FirewallWAN  = "198.51.100.1"
	cloudWAN     = "198.51.100.2"
	WebAddr      = "203.0.113.10" // schedule, signalling and log hosts (Go server)
	TURNAddr     = "203.0.113.20" // coturn: 3478 udp+tcp, TLS on 443 and 5349
	turnDefAddr  = "203.0.113.21" // coturn accepting the vendor example turn/turn
	turn843Addr  = "203.0.113.22" // coturn on port 843 (browsers refuse it)
	turnExtAddr  = "203.0.113.24" // coturn with a wrong external-ip
	ReflAddr     = "203.0.113.30" // coturn --stun-only on the media ports
	ServeAddr    = "203.0.113.31" // rtcprobe serve (when the binary has it)
	proxyAddr    = "203.0.113.40" // nginx, the Solution-2 proxy
	PeerAddr     = "203.0.113.50" // free for a ground-truth WebRTC peer
	cloudDNSAddr = "203.0.113.53" // authoritative dnsmasq
)

// Ports of the corporate HTTP proxies on the firewall's LAN address.
const (
	squidPort       = 3128 // squid defaults: CONNECT only to 443
	squidOpenPort   = 3129 // CONNECT also to the TURN ports
	squidDenyPort   = 3130 // refuses everything (403)
	mitmproxyPort   = 8080 // TLS-intercepting proxy, when mitmdump is installed
	turnRelayMin    = 49152
	turnRelayMax    = 49999
	TURNUser        = "lab"
	turnDefaultUser = "turn" // and password "turn", like the vendor script
)

// cloudAddrs are all addresses configured in the cloud namespace.
var cloudAddrs = []string{WebAddr, TURNAddr, turnDefAddr, turn843Addr, turnExtAddr, ReflAddr, ServeAddr, proxyAddr, PeerAddr, cloudDNSAddr}

// Bounded waits.
const (
	// execTimeout bounds one command (ip, nft): they are local and finish in
	// milliseconds; a hang means a broken host.
	execTimeout = 20 * time.Second
	// stopGrace is how long a server gets to exit after SIGTERM.
	stopGrace = 2 * time.Second
	// readyTimeout bounds waiting for a server to listen (squid is slowest).
	readyTimeout = 15 * time.Second
)

// errSkip is returned by Check when the lab cannot run here.
var errSkip = errors.New("lab: skipped")

// Lab is one running lab. Methods may be called from one goroutine at a time
// (scenarios run in sequence), except InNS and Exec, which are safe.
type Lab struct {
	t      testing.TB
	prefix string
	// Dir holds configs, logs, certificates and pid files of this lab.
	Dir string
	// CAFile is the PEM of the lab CA that signed every server certificate.
	CAFile string
	ca     *ca
	// issuers are the intermediates that sign the servers' certificates.
	issuers map[string]*ca
	secret  string

	mu    sync.Mutex
	procs []*Process
}

// Check reports why the lab cannot run on this machine (wrapping errSkip),
// or nil.
func Check() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("%w: needs Linux network namespaces (running on %s)", errSkip, runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: needs root for ip netns and nftables (run: sudo bash .ci/run)", errSkip)
	}
	for _, tool := range []string{"ip", "nft", "dnsmasq", "turnserver", "nginx", "squid"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%w: %s is not installed (.ci/run installs it: apt-get install coturn nginx squid dnsmasq-base nftables iproute2)", errSkip, tool)
		}
	}
	return nil
}

// Start builds the lab (namespaces, routes, NAT, every server) and removes it
// all in t.Cleanup. Without root or iproute2 it calls t.Skip with the reason.
func Start(t testing.TB) *Lab {
	t.Helper()
	if err := Check(); err != nil {
		t.Skip(err.Error())
	}
	removeStale()
	// Not t.TempDir: its parent is private to root, and squid and coturn
	// drop root and must still reach their files.
	dir, err := os.MkdirTemp("", "rtcprobe-lab-")
	if err != nil {
		t.Fatal(err)
	}
	// Unique per lab, so labs of parallel tests and packages never meet.
	l := &Lab{t: t, prefix: fmt.Sprintf("rp%d-%d", os.Getpid(), labCount.Add(1)), Dir: dir, secret: randomToken()}
	t.Cleanup(l.close)
	if err := os.Chmod(l.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := l.buildNetwork(); err != nil {
		t.Fatalf("lab network: %v", err)
	}
	if err := l.startServers(); err != nil {
		t.Fatalf("lab servers: %v", err)
	}
	return l
}

// NS returns the namespace name of a role (Laptop, Firewall, Cloud).
func (l *Lab) NS(role string) string { return l.prefix + "-" + role }

// TURNPassword is the password of TURNUser on the lab's TURN servers (random
// per run, so no test can depend on it leaking).
func (l *Lab) TURNPassword() string { return l.secret }

// Exec runs a command in a namespace (a role) and returns its combined output.
func (l *Lab) Exec(role string, args ...string) (string, error) {
	return l.ExecInput(role, "", args...)
}

// ExecInput is Exec with stdin.
func (l *Lab) ExecInput(role, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	full := append([]string{"netns", "exec", l.NS(role)}, args...)
	cmd := exec.CommandContext(ctx, "ip", full...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s in %s: %v: %s", strings.Join(args, " "), role, err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// must runs a command (in the root namespace when role is "") and fails the
// build step on error.
func (l *Lab) must(role string, args ...string) error {
	if role != "" {
		_, err := l.Exec(role, args...)
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// InNS runs fn on an OS thread switched into the namespace, so sockets fn
// creates live there (a net.Listen in the cloud). fn must create its sockets
// synchronously: goroutines it starts run in the test's own namespace.
// Serving on a socket created here from any goroutine is fine.
func (l *Lab) InNS(role string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		target, err := os.Open("/run/netns/" + l.NS(role))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("setns %s: %w", role, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: the runtime then discards it.
			errc <- fmt.Errorf("setns back: %w", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Process is a server started in a namespace; it is stopped at cleanup.
type Process struct {
	Name string
	// Log is the file receiving its stdout and stderr.
	Log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartProcess starts a long-running command in a namespace, its output in
// Dir/<name>.log, and stops it (SIGTERM, then SIGKILL, whole process group)
// when the lab closes. env adds variables to the test's environment.
func (l *Lab) StartProcess(role, name string, env []string, args ...string) (*Process, error) {
	logPath := filepath.Join(l.Dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command("ip", append([]string{"netns", "exec", l.NS(role)}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	return p, nil
}

// Exited reports whether the process has already ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop ends the process group: SIGTERM, then SIGKILL after stopGrace.
func (p *Process) Stop() {
	if p.Exited() {
		return
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// LogTail returns the last lines of the process's log (for failure messages).
func (p *Process) LogTail() string {
	b, _ := os.ReadFile(p.Log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// close stops every process and removes the namespaces.
func (l *Lab) close() {
	l.mu.Lock()
	procs := l.procs
	l.procs = nil
	l.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].Stop()
	}
	for _, role := range []string{Laptop, Firewall, Cloud} {
		deleteNS(l.NS(role))
	}
	if os.Getenv("RTCPROBE_LAB_KEEP") == "" {
		os.RemoveAll(l.Dir)
	} else {
		l.t.Logf("lab files kept in %s", l.Dir)
	}
}

var staleNS = regexp.MustCompile(`^rp(\d+)-\d+-(lap|fw|cl)\b`)

// labCount numbers the labs of this process.
var labCount atomic.Int64

// removeStale deletes namespaces left by a lab whose test process is gone
// (a crashed or killed run), with the processes still running in them.
func removeStale() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		m := staleNS.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		if syscall.Kill(pid, 0) == nil {
			continue // its test process (maybe this one) is alive
		}
		deleteNS(strings.Fields(line)[0])
	}
}

// deleteNS kills what runs in a namespace and deletes it.
func deleteNS(ns string) {
	if out, err := exec.Command("ip", "netns", "pids", ns).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	exec.Command("ip", "netns", "del", ns).Run()
	os.RemoveAll(filepath.Join("/etc/netns", ns))
}
