//go:build linux

package lab

import (
	"embed"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/rtcprobe/rtcprobe/catalog"
)

//go:embed testdata/*.tmpl
var templates embed.FS

// Lab names, served by the cloud's authoritative DNS.
const (
	TURNName      = "turn.lab.test"
	turnDefName   = "turn-default.lab.test"
	turn843Name   = "turn843.lab.test"
	turnExtName   = "turn-extip.lab.test"
	ReflectorName = "reflector.lab.test"
	ServeName     = "serve.lab.test"
	proxyName     = "proxy.lab.test"
	// proxyWrongName also leads to the nginx proxy, whose certificate does
	// not list it: a Solution-2 proxy deployed with another name's
	// certificate.
	proxyWrongName = "proxy-wrongname.lab.test"
	peerName       = "peer.lab.test"
	// Solution 2-B servers on the firewall host, answered by the corporate
	// resolver only.
	proxyInName = "proxy.corp.lab.test"
	TURNInName  = "turn.corp.lab.test"
)

// turnInPublicPort is the port of the inside TURN server whose relayed
// address is public (no external-ip).
const turnInPublicPort = 3480

// TURN ports of the main TURN server (TURNName).
const (
	turnPort    = 3478
	turnTLSPort = 443
	// turnExtIP is the wrong external-ip of turnExtName: a private address
	// while clients reach the server on a public one (a 2-B setting used in
	// a 2-A deployment).
	turnExtIP = "10.9.9.9"
)

// reflPort is the coturn --stun-only port; reflRedirectPorts are the other
// media ports, redirected to it in the cloud (see ApplyCloudFirewall).
const (
	reflPort          = 8000
	reflRedirectPorts = "8080, 8800, 843, 443, 16285"
)

// deadUpstream is an address in the cloud where nothing listens: nginx
// answers 502 for it.
const deadUpstream = WebAddr + ":8443"

func (l *Lab) startServers() error {
	var err error
	if l.ca, err = newCA(); err != nil {
		return err
	}
	l.issuers = map[string]*ca{}
	for _, name := range issuerNames {
		if l.issuers[name], err = newSubCA(l.ca, name); err != nil {
			return err
		}
	}
	l.CAFile = filepath.Join(l.Dir, "ca.pem")
	if err := l.ca.write(l.CAFile); err != nil {
		return err
	}
	var want []listener
	for _, start := range []func() ([]listener, error){
		l.startCloudDNS, l.startCorporateDNS, l.startWeb, l.startTURNServers, l.startNginx, l.startSquid, l.startMitmproxy,
		l.startPACServer, l.startAuthProxies,
	} {
		ls, err := start()
		if err != nil {
			return err
		}
		want = append(want, ls...)
	}
	return l.waitListening(want)
}

// Intermediate CAs: one for the mainland TRTC domains, one for the
// international ones, one for the lab's own servers (TURN, nginx).
const (
	mainlandIssuer = "rtcprobe lab CA mainland"
	intlIssuer     = "rtcprobe lab CA international"
	labIssuer      = "rtcprobe lab CA servers"
)

var issuerNames = []string{mainlandIssuer, intlIssuer, labIssuer}

// issuerFor picks the intermediate that signs a TRTC host name.
func issuerFor(name string) string {
	for _, suffix := range []string{"qq.com", "qcloud.com", "cloud-rtc.com", "cloud-rtc.net"} {
		if name == suffix || strings.HasSuffix(name, "."+suffix) {
			return mainlandIssuer
		}
	}
	return intlIssuer
}

// listener is a socket a server must have open before the lab is ready.
type listener struct {
	role, proto, addr string
	proc              *Process
}

// waitListening polls ss in each namespace until every listener is open.
func (l *Lab) waitListening(want []listener) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		var missing []listener
		seen := map[string]string{}
		for _, w := range want {
			if _, ok := seen[w.role]; !ok {
				out, _ := l.Exec(w.role, "ss", "-Hlntu")
				seen[w.role] = out
			}
			if !hasListener(seen[w.role], w.proto, w.addr) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if m := missing[0]; m.proc != nil && m.proc.Exited() {
			return fmt.Errorf("%s exited before listening on %s %s:\n%s", m.proc.Name, m.proto, m.addr, m.proc.LogTail())
		}
		if time.Now().After(deadline) {
			m := missing[0]
			tail := ""
			if m.proc != nil {
				tail = "\n" + m.proc.LogTail()
			}
			return fmt.Errorf("%s %s in %s not listening after %s%s", m.proto, m.addr, m.role, readyTimeout, tail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func hasListener(ss, proto, addr string) bool {
	for _, line := range strings.Split(ss, "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && f[0] == proto && f[4] == addr {
			return true
		}
	}
	return false
}

// render executes a template from testdata into Dir/name.
func (l *Lab) render(tmpl, name string, data any) (string, error) {
	t, err := template.ParseFS(templates, "testdata/"+tmpl)
	if err != nil {
		return "", err
	}
	path := filepath.Join(l.Dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := t.Execute(f, data); err != nil {
		return "", err
	}
	return path, nil
}

// trtcNames returns every host name the catalog lists, plus the allow-list
// domains, so the cloud answers for all of them.
func trtcNames() ([]string, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, r := range cat.Regions {
		for _, ep := range r.Endpoints {
			if u, err := url.Parse(ep.URL); err == nil {
				set[u.Hostname()] = true
			}
		}
	}
	for _, list := range cat.AllowDomains {
		for _, d := range list {
			set[strings.TrimPrefix(d, "*.")] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// labNames maps the lab's own names to cloud addresses.
var labNames = map[string]string{
	TURNName: TURNAddr, turnDefName: turnDefAddr, turn843Name: turn843Addr, turnExtName: turnExtAddr,
	ReflectorName: ReflAddr, ServeName: ServeAddr, proxyName: proxyAddr, peerName: PeerAddr,
	proxyWrongName: proxyAddr,
}

// startCloudDNS runs dnsmasq as the internet's authoritative DNS for the
// TRTC names (all at WebAddr) and the lab names.
func (l *Lab) startCloudDNS() ([]listener, error) {
	names, err := trtcNames()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "address=/%s/%s\n", n, WebAddr)
	}
	for n, a := range labNames {
		fmt.Fprintf(&b, "address=/%s/%s\n", n, a)
	}
	conf := filepath.Join(l.Dir, "dnsmasq-cloud.conf")
	if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	p, err := l.startDnsmasq(Cloud, "dnsmasq-cloud", cloudDNSAddr, conf, "--no-resolv")
	return []listener{{Cloud, "udp", cloudDNSAddr + ":53", p}}, err
}

func (l *Lab) startDnsmasq(role, name, addr, conf string, extra ...string) (*Process, error) {
	args := append([]string{"dnsmasq", "--keep-in-foreground", "--conf-file=" + conf, "--no-hosts",
		"--listen-address=" + addr, "--bind-interfaces", "--except-interface=none",
		"--pid-file=" + filepath.Join(l.Dir, name+".pid"), "--cache-size=0", "--log-queries",
		"--log-facility=-", "--user=root"}, extra...)
	return l.StartProcess(role, name, nil, args...)
}

// startCorporateDNS runs the corporate resolver on the firewall, forwarding
// to the cloud DNS. SetCorporateDNS restarts it with tampering lines.
func (l *Lab) startCorporateDNS() ([]listener, error) {
	if err := l.SetCorporateDNS(nil); err != nil {
		return nil, err
	}
	return nil, nil
}

// SetCorporateDNS (re)starts the corporate resolver with extra dnsmasq
// lines, e.g. "address=/trtc.rtc.qq.com/" (NXDOMAIN) or
// "address=/yun.tim.qq.com/0.0.0.0" (sinkhole), and waits until it listens.
func (l *Lab) SetCorporateDNS(lines []string) error {
	l.mu.Lock()
	var old *Process
	for i, p := range l.procs {
		if p.Name == "dnsmasq-corp" {
			old = p
			l.procs = append(l.procs[:i], l.procs[i+1:]...)
			break
		}
	}
	l.mu.Unlock()
	if old != nil {
		old.Stop()
	}
	conf := filepath.Join(l.Dir, "dnsmasq-corp.conf")
	// The corporate resolver is authoritative for corp.lab.test (NXDOMAIN
	// for other names there, as a company's own zone answers), so a search
	// list walks on: WPAD looks for wpad.<search domain>.
	body := fmt.Sprintf("server=%s\nlocal=/corp.lab.test/\naddress=/%s/%s\naddress=/%s/%s\naddress=/%s/%s\n%s\n", cloudDNSAddr,
		proxyInName, FirewallLAN, TURNInName, FirewallLAN, wpadName, FirewallLAN, strings.Join(lines, "\n"))
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return err
	}
	p, err := l.startDnsmasq(Firewall, "dnsmasq-corp", FirewallLAN, conf, "--no-resolv")
	if err != nil {
		return err
	}
	return l.waitListening([]listener{{Firewall, "udp", FirewallLAN + ":53", p}})
}

// turnConf is the data of turnserver.conf.tmpl.
type turnConf struct {
	Name, Dir, IP    string
	RelayIP          string // "" means IP
	Port, TLSPort    int
	Cert, Key        string
	User, Password   string
	MinPort, MaxPort int
	ExternalIP       string
	StunOnly         bool
}

// startTURNServers runs the coturn instances: the main TURN server, one
// with the vendor's example credentials, one on port 843, one with a wrong
// external-ip, and the --stun-only reflector.
func (l *Lab) startTURNServers() ([]listener, error) {
	cert, key, err := l.issuers[labIssuer].issue(l.Dir, "turn", []string{TURNName, turnDefName, turn843Name, turnExtName, TURNInName}, []string{TURNAddr})
	if err != nil {
		return nil, err
	}
	base := turnConf{Dir: l.Dir, User: TURNUser, Password: l.secret, MinPort: turnRelayMin, MaxPort: turnRelayMax, Port: turnPort}
	main := base
	main.Name, main.IP, main.TLSPort, main.Cert, main.Key = "turn", TURNAddr, turnTLSPort, cert, key
	def := base
	def.Name, def.IP, def.User, def.Password = "turn-default", turnDefAddr, turnDefaultUser, "turn"
	p843 := base
	p843.Name, p843.IP, p843.Port = "turn843", turn843Addr, 843
	ext := base
	ext.Name, ext.IP, ext.ExternalIP = "turn-extip", turnExtAddr, turnExtIP
	refl := base
	refl.Name, refl.IP, refl.Port, refl.StunOnly = "reflector", ReflAddr, reflPort, true
	// Solution 2-B: TURN servers on the firewall host (inside), relaying
	// from its outside address; one with the vendor's 2-B external-ip (the
	// intranet address), one without (relayed address public, a mistake).
	in := base
	in.Name, in.IP, in.RelayIP, in.ExternalIP = "turn-in", FirewallLAN, FirewallWAN, FirewallLAN
	inPub := base
	inPub.Name, inPub.IP, inPub.RelayIP, inPub.Port = "turn-in-public", FirewallLAN, FirewallWAN, turnInPublicPort
	var out []listener
	for _, c := range []turnConf{main, def, p843, ext, refl, in, inPub} {
		role := Cloud
		if c.IP == FirewallLAN {
			role = Firewall
		}
		path, err := l.render("turnserver.conf.tmpl", c.Name+".conf", c)
		if err != nil {
			return nil, err
		}
		p, err := l.StartProcess(role, c.Name, nil, "turnserver", "-c", path)
		if err != nil {
			return nil, err
		}
		addr := c.IP + ":" + strconv.Itoa(c.Port)
		out = append(out, listener{role, "udp", addr, p}, listener{role, "tcp", addr, p})
		if c.TLSPort != 0 {
			out = append(out, listener{role, "tcp", c.IP + ":" + strconv.Itoa(c.TLSPort), p})
		}
	}
	return out, nil
}

// startNginx runs the Solution-2 proxies: outside (2-A, in the cloud) and
// inside the corporate network (2-B, on the firewall host).
func (l *Lab) startNginx() ([]listener, error) {
	var out []listener
	for _, px := range []struct{ role, base, name, ip string }{
		{Cloud, "nginx", proxyName, proxyAddr},
		{Firewall, "nginx-in", proxyInName, FirewallLAN},
	} {
		cert, key, err := l.issuers[labIssuer].issue(l.Dir, px.base, []string{px.name}, []string{px.ip})
		if err != nil {
			return nil, err
		}
		data := map[string]string{"Dir": l.Dir, "Base": px.base, "Name": px.name, "IP": px.ip, "Cert": cert, "Key": key,
			"Upstream": WebAddr + ":443", "DeadUpstream": deadUpstream}
		path, err := l.render("nginx.conf.tmpl", px.base+".conf", data)
		if err != nil {
			return nil, err
		}
		p, err := l.StartProcess(px.role, px.base, nil, "nginx", "-c", path, "-e", filepath.Join(l.Dir, px.base+"-error.log"))
		if err != nil {
			return nil, err
		}
		out = append(out, listener{px.role, "tcp", px.ip + ":443", p})
	}
	return out, nil
}

// startSquid runs the corporate HTTP proxy on the firewall.
func (l *Lab) startSquid() ([]listener, error) {
	dir := filepath.Join(l.Dir, "squid")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o777); err != nil { // squid writes here as user proxy
		return nil, err
	}
	data := map[string]any{"Dir": dir, "Listen": FirewallLAN, "Port": squidPort, "OpenPort": squidOpenPort,
		"DenyPort": squidDenyPort, "DNS": FirewallLAN}
	path, err := l.render("squid.conf.tmpl", "squid.conf", data)
	if err != nil {
		return nil, err
	}
	p, err := l.StartProcess(Firewall, "squid", nil, "squid", "-N", "-f", path)
	var out []listener
	for _, port := range []int{squidPort, squidOpenPort, squidDenyPort} {
		out = append(out, listener{Firewall, "tcp", FirewallLAN + ":" + strconv.Itoa(port), p})
	}
	return out, err
}

// hasMitmproxy reports whether the TLS-intercepting proxy is available.
func hasMitmproxy() bool {
	_, err := exec.LookPath("mitmdump")
	return err == nil
}

// MitmCAFile is the PEM of mitmproxy's own CA (what an inspecting corporate
// proxy installs on laptops), "" when mitmproxy is not installed.
func (l *Lab) MitmCAFile() string {
	if !hasMitmproxy() {
		return ""
	}
	return filepath.Join(l.Dir, "mitm", "mitmproxy-ca-cert.pem")
}

// startMitmproxy runs mitmdump on the firewall as an intercepting explicit
// proxy (it re-signs every TLS connection with its own CA).
func (l *Lab) startMitmproxy() ([]listener, error) {
	if !hasMitmproxy() {
		return nil, nil
	}
	conf := filepath.Join(l.Dir, "mitm")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		return nil, err
	}
	p, err := l.StartProcess(Firewall, "mitmproxy", []string{"HOME=" + conf}, "mitmdump", "--mode", "regular",
		"--listen-host", FirewallLAN, "--listen-port", strconv.Itoa(mitmproxyPort),
		"--set", "confdir="+conf, "--set", "ssl_insecure=true", "-q")
	return []listener{{Firewall, "tcp", FirewallLAN + ":" + strconv.Itoa(mitmproxyPort), p}}, err
}
