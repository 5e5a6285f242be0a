package probe

import "strings"

// vpnAgent is a VPN, SASE or ZTNA client recognised by the interface it
// routes through or the process it runs. rtcprobe shares the browser's
// network stack, so their effect is already in every measurement; naming
// them sends the ticket to the team that runs them.
type vpnAgent struct {
	Name string
	// ifPrefixes are interface names (lower case prefixes; Windows names
	// are the adapter's friendly name).
	ifPrefixes []string
	// processes are executable names (lower case, without .exe).
	processes []string
}

// vpnAgents is the recognition table. Sources:
//   - Zscaler Client Connector: processes ZSATunnel, ZSAService, ZSATray
//     (help.zscaler.com, "Zscaler Client Connector Processes to
//     Allowlist"); its Windows adapter is "Zscaler Network Adapter"
//     (same page, TAP driver installer name).
//   - Netskope Client: the "ST Agent" service stAgentSvc (Netskope
//     community, "Decoding Netskope Client POP selection"); it steers with
//     a driver, not its own interface.
//   - Cisco Secure Client (AnyConnect): daemon vpnagentd (vpnagent.exe on
//     Windows) and tunnel device cscotun0 (Cisco Secure Client 5.1 Linux
//     platform notes).
//   - GlobalProtect: service PanGPS, agent PanGPA, interface gpd0 on
//     Linux and macOS, "PANGP Virtual Ethernet Adapter" on Windows
//     (GlobalProtect app guides).
//   - Cloudflare WARP: daemon warp-svc, interface CloudflareWARP (vopono's
//     WARP support names both).
//   - Tailscale: tailscaled, interface tailscale0 (Linux) or "Tailscale"
//     (Windows); WireGuard: wg* interfaces and wireguard(.exe).
//
// macOS tunnels are all utun*: there only the process says which agent.
var vpnAgents = []vpnAgent{
	{Name: "Zscaler", ifPrefixes: []string{"zscaler", "zcctun"}, processes: []string{"zsatunnel", "zsaservice", "zsatray"}},
	{Name: "Netskope", processes: []string{"stagentsvc", "stagentui", "nsagentd"}},
	{Name: "Cisco Secure Client", ifPrefixes: []string{"cscotun", "cisco anyconnect", "cisco secure client"}, processes: []string{"vpnagentd", "vpnagent"}},
	{Name: "GlobalProtect", ifPrefixes: []string{"gpd", "pangp"}, processes: []string{"pangps", "pangpa", "globalprotect"}},
	{Name: "Cloudflare WARP", ifPrefixes: []string{"cloudflarewarp"}, processes: []string{"warp-svc"}},
	{Name: "Tailscale", ifPrefixes: []string{"tailscale"}, processes: []string{"tailscaled"}},
	{Name: "WireGuard", ifPrefixes: []string{"wg"}, processes: []string{"wireguard", "wg-quick"}},
}

// agentForInterface returns the agent an interface name belongs to, or "".
func agentForInterface(name string) string {
	n := strings.ToLower(name)
	for _, a := range vpnAgents {
		for _, p := range a.ifPrefixes {
			if strings.HasPrefix(n, p) {
				return a.Name
			}
		}
	}
	return ""
}

// agentForProcess returns the agent an executable belongs to, or "".
func agentForProcess(exe string) string {
	n := strings.TrimSuffix(strings.ToLower(exe), ".exe")
	for _, a := range vpnAgents {
		for _, p := range a.processes {
			if n == p {
				return a.Name
			}
		}
	}
	return ""
}

// runningAgents maps process names to agents, once per name, in table
// order.
func runningAgents(procs []string) []string {
	seen := map[string]bool{}
	for _, p := range procs {
		if a := agentForProcess(p); a != "" {
			seen[a] = true
		}
	}
	var out []string
	for _, a := range vpnAgents {
		if seen[a.Name] {
			out = append(out, a.Name)
		}
	}
	return out
}
