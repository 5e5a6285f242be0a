//go:build linux

package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// buildNetwork creates laptop -- firewall -- cloud, the routes and the NAT.
func (l *Lab) buildNetwork() error {
	lap, fw, cl := l.NS(Laptop), l.NS(Firewall), l.NS(Cloud)
	steps := [][]string{
		{"ip", "netns", "add", lap},
		{"ip", "netns", "add", fw},
		{"ip", "netns", "add", cl},
		{"ip", "-n", lap, "link", "add", "eth0", "type", "veth", "peer", "name", "lan0", "netns", fw},
		{"ip", "-n", fw, "link", "add", "wan0", "type", "veth", "peer", "name", "eth0", "netns", cl},
		{"ip", "-n", lap, "addr", "add", LaptopAddr + "/24", "dev", "eth0"},
		{"ip", "-n", fw, "addr", "add", FirewallLAN + "/24", "dev", "lan0"},
		{"ip", "-n", fw, "addr", "add", FirewallWAN + "/24", "dev", "wan0"},
		{"ip", "-n", cl, "addr", "add", cloudWAN + "/24", "dev", "eth0"},
	}
	for _, a := range cloudAddrs {
		steps = append(steps, []string{"ip", "-n", cl, "addr", "add", a + "/24", "dev", "eth0"})
	}
	for _, ns := range []string{lap, fw, cl} {
		steps = append(steps, []string{"ip", "-n", ns, "link", "set", "lo", "up"})
	}
	steps = append(steps,
		[]string{"ip", "-n", lap, "link", "set", "eth0", "up"},
		[]string{"ip", "-n", fw, "link", "set", "lan0", "up"},
		[]string{"ip", "-n", fw, "link", "set", "wan0", "up"},
		[]string{"ip", "-n", cl, "link", "set", "eth0", "up"},
		[]string{"ip", "-n", lap, "route", "add", "default", "via", FirewallLAN},
		[]string{"ip", "-n", fw, "route", "add", "203.0.113.0/24", "via", cloudWAN},
		[]string{"ip", "-n", cl, "route", "add", "default", "via", FirewallWAN},
		[]string{"ip", "netns", "exec", fw, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
	)
	for _, s := range steps {
		if err := l.must("", s...); err != nil {
			return err
		}
	}
	// The laptop and the firewall use the corporate resolver (ip netns exec
	// bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf).
	for _, ns := range []string{lap, fw} {
		dir := filepath.Join("/etc/netns", ns)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		conf := "nameserver " + FirewallLAN + "\nsearch " + searchDomain + " corp.lab.test\noptions timeout:2 attempts:1\n"
		if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(conf), 0o644); err != nil {
			return err
		}
	}
	nat := "table ip lab_nat {\n chain post { type nat hook postrouting priority 100; oifname \"wan0\" masquerade; }\n}\n"
	if _, err := l.ExecInput(Firewall, nat, "nft", "-f", "-"); err != nil {
		return err
	}
	if err := l.ApplyFirewall(Policy{Default: "accept"}); err != nil {
		return err
	}
	return l.ApplyCloudFirewall(nil)
}

// Policy is a firewall policy for the firewall's forward chain: what the
// laptop may send out and receive.
type Policy struct {
	// Default is the chain policy, "accept" or "drop".
	Default string `json:"policy"`
	// Rules are nft rule statements in order, e.g. "tcp dport 443 accept",
	// "meta l4proto udp reject", "ct state established,related accept".
	Rules []string `json:"rules"`
}

// ApplyFirewall replaces the forward chain of the firewall atomically.
func (l *Lab) ApplyFirewall(p Policy) error {
	def := p.Default
	if def == "" {
		def = "accept"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "table inet lab_fw {}\ndelete table inet lab_fw\ntable inet lab_fw {\n chain forward {\n  type filter hook forward priority 0; policy %s;\n", def)
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	b.WriteString(" }\n}\n")
	_, err := l.ExecInput(Firewall, b.String(), "nft", "-f", "-")
	return err
}

// ApplyCloudFirewall replaces the cloud namespace's own input and output
// rules (e.g. close the TURN relay ports on the TURN host). Each rule names
// its chain: "input ..." or "output ...".
func (l *Lab) ApplyCloudFirewall(rules []string) error {
	var in, out []string
	for _, r := range rules {
		chain, rest, _ := strings.Cut(r, " ")
		switch chain {
		case "input":
			in = append(in, rest)
		case "output":
			out = append(out, rest)
		default:
			return fmt.Errorf("cloud rule %q must start with input or output", r)
		}
	}
	var b strings.Builder
	b.WriteString("table inet lab_cloud {}\ndelete table inet lab_cloud\ntable inet lab_cloud {\n")
	for _, c := range []struct {
		name  string
		rules []string
	}{{"input", in}, {"output", out}} {
		fmt.Fprintf(&b, " chain %s {\n  type filter hook %s priority 0; policy accept;\n", c.name, c.name)
		for _, r := range c.rules {
			fmt.Fprintf(&b, "  %s\n", r)
		}
		b.WriteString(" }\n")
	}
	// The reflector answers on every media port: redirect them to the one
	// coturn --stun-only port (conntrack restores the port in the answer).
	fmt.Fprintf(&b, " chain pre {\n  type nat hook prerouting priority -100;\n  ip daddr %s udp dport { %s } dnat ip to %s:%d\n }\n}\n",
		ReflAddr, reflRedirectPorts, ReflAddr, reflPort)
	_, err := l.ExecInput(Cloud, b.String(), "nft", "-f", "-")
	return err
}
