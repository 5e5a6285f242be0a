package probe

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/result"
)

// Options are the user's choices for a run (flags of `rtcprobe check`).
type Options struct {
	// SDKAppID picks the region like the SDK; 0 checks both regions.
	SDKAppID int64
	// Budget bounds the run; 0 means DefaultBudget.
	Budget time.Duration
	// Reflector is a host (name or address) running a STUN server on the
	// media ports; "" leaves direct UDP untested.
	Reflector string
	// MediaPorts overrides the catalog's UDP media ports (tests, labs).
	MediaPorts []int
	// Proxy is the SDK proxy option (--proxy FILE), or nil.
	Proxy *ProxyConfig
	// TURN are extra TURN URLs (--turn), using TURNUsername/TURNCredential.
	TURN           []string
	TURNUsername   string
	TURNCredential Secret
	// TURNPeer is the relay round-trip peer (host:port, UDP STUN); "" means
	// the reflector's first media port, or a second allocation.
	TURNPeer string
	// HTTPProxy is the HTTP proxy the browser uses for TCP, or nil.
	HTTPProxy *url.URL
	// PACURL is the system's proxy auto-config URL, recorded in the
	// report ("" = none). It does not change the plan.
	PACURL string
	// ProxySetup, when non-nil, is the discovered proxy configuration
	// (DiscoverProxy): the run routes every target by it.
	ProxySetup *ProxySetup
	// Policies are the managed browser policies read (policy.Read), or nil.
	Policies *policy.Set
	// Browser is the browser to judge for ("chrome", "edge", "chromium",
	// "firefox"); "" means the one with a managed policy, else Chrome.
	Browser string
}

// NewPlan builds the plan the SDK's behaviour implies: the region's
// endpoints, each replaced by its proxy setting when one is given, the
// reflector's media ports and every transport of every TURN server.
func NewPlan(cat *catalog.Catalog, o Options) (*Plan, error) {
	p := &Plan{Budget: o.Budget, Timers: DefaultTimers(), HTTPProxy: o.HTTPProxy, Proxy: o.ProxySetup}
	if p.HTTPProxy == nil && o.ProxySetup != nil {
		p.HTTPProxy = o.ProxySetup.fixedHTTPSProxy()
	}
	if p.Budget <= 0 {
		p.Budget = DefaultBudget
	}
	regions := cat.RegionsFor(o.SDKAppID)
	px := o.Proxy
	if px == nil {
		px = &ProxyConfig{}
	}
	schedProxy := px.ScheduleProxy
	if schedProxy == "" {
		schedProxy = px.UnifiedProxy
	}
	replaced := map[string]WebTarget{}
	if schedProxy != "" {
		via := "scheduleProxy"
		if px.ScheduleProxy == "" {
			via = "unifiedProxy"
		}
		replaced["schedule"] = WebTarget{ID: "schedule-proxy", Role: "schedule", URL: schedProxy, Via: via}
	}
	if px.WebsocketProxy != "" {
		replaced["signaling"] = WebTarget{ID: "signaling-proxy", Role: "signaling", URL: px.WebsocketProxy, Via: "websocketProxy"}
	}
	if px.LoggerProxy != "" {
		replaced["logger"] = WebTarget{ID: "logger-proxy", Role: "logger", URL: px.LoggerProxy, Via: "loggerProxy"}
	}
	for _, role := range []string{"schedule", "signaling", "logger"} {
		if t, ok := replaced[role]; ok {
			p.Web = append(p.Web, t)
		}
	}
	for _, region := range regions {
		for _, ep := range cat.Regions[region].Endpoints {
			if _, ok := replaced[ep.Role]; ok {
				continue
			}
			id := fmt.Sprintf("%s-%s-%s", region[:4], ep.Role, hostOf(ep.URL))
			p.Web = append(p.Web, WebTarget{ID: id, Role: ep.Role, Region: region, URL: ep.URL})
		}
	}
	ports := o.MediaPorts
	if len(ports) == 0 {
		ports = cat.MediaPorts
	}
	if o.Reflector != "" {
		p.Reflector = &ReflectorTarget{Host: o.Reflector, Ports: ports}
	}
	peer := o.TURNPeer
	if peer == "" && p.Reflector != nil && len(ports) > 0 {
		peer = JoinHostPort(o.Reflector, ports[0])
	}
	servers := px.TURNServers
	for _, u := range o.TURN {
		if _, err := ParseTURNURL(u); err != nil {
			return nil, fmt.Errorf("%w: --turn: %v", ErrConfig, err)
		}
		servers = append(servers, TURNServer{URL: u})
	}
	for i, s := range servers {
		tu, err := ParseTURNURL(s.URL)
		if err != nil {
			return nil, fmt.Errorf("%w: turnServer: %v", ErrConfig, err)
		}
		if !strings.HasPrefix(s.URL, "turn:") && !strings.HasPrefix(s.URL, "turns:") {
			// The SDK puts turn: in front of a url without a scheme;
			// the report names the server as the browser gets it.
			servers[i].URL = "turn:" + s.URL
			s.URL = servers[i].URL
		}
		user, cred := s.Username, s.Credential
		if user == "" {
			user = o.TURNUsername
		}
		if cred == "" {
			cred = o.TURNCredential
		}
		for _, tr := range tu.Transports {
			p.TURN = append(p.TURN, TURNTarget{
				ID:  result.TURNID(i+1, tr),
				URL: s.URL, Host: tu.Host, Port: tu.Port, Transport: tr,
				Username: user, Credential: cred, Peer: peer,
			})
		}
	}
	p.Config = configOf(p, o, regions, ports, px, servers)
	applyPolicies(p, o)
	p.Routes = routePlan(p)
	return p, nil
}

// applyPolicies records the browser and its policies in the plan: the
// judged browser's WebRtcUdpPortRange binds every UDP probe. A run with
// no policy and no --browser keeps Config.Browser empty, so its report is
// the same as before browsers were told apart.
func applyPolicies(p *Plan, o Options) {
	set := o.Policies
	if set == nil {
		set = &policy.Set{}
	}
	for _, pr := range set.Problems {
		p.PolicyProblems = append(p.PolicyProblems, pr.Error())
	}
	browser := o.Browser
	if browser == "" && len(set.Browsers) > 0 {
		browser = set.Default()
	}
	p.Config.Browser = browser
	p.Config.Policies = policyConfig(set)
	if b := set.Get(browser); b != nil && b.WebRtcUdpPortRange.Set() {
		p.UDPPortRange = PortRange{Min: b.WebRtcUdpPortRange.Min, Max: b.WebRtcUdpPortRange.Max}
		p.Config.UDPPortRange = p.UDPPortRange.String()
	}
}

func configOf(p *Plan, o Options, regions []string, ports []int, px *ProxyConfig, servers []TURNServer) result.Config {
	c := result.Config{
		SDKAppID: o.SDKAppID, Regions: regions, BudgetMs: p.Budget.Milliseconds(),
		Reflector: o.Reflector, MediaPorts: ports, ICETransportPolicy: "all",
		TURNServers: []string{},
	}
	if px.ICETransportPolicy != "" {
		c.ICETransportPolicy = px.ICETransportPolicy
	}
	if p.Reflector == nil {
		c.MediaPorts = []int{}
	}
	for _, s := range servers {
		c.TURNServers = append(c.TURNServers, s.URL)
	}
	if px.WebsocketProxy != "" || px.LoggerProxy != "" || px.ScheduleProxy != "" || px.UnifiedProxy != "" || len(px.TURNServers) > 0 {
		ps := &result.ProxySummary{WebsocketProxy: px.WebsocketProxy, LoggerProxy: px.LoggerProxy,
			ScheduleProxy: px.ScheduleProxy, UnifiedProxy: px.UnifiedProxy}
		for _, s := range px.TURNServers {
			ps.TURNServers = append(ps.TURNServers, s.URL)
		}
		c.Proxy = ps
	}
	if p.HTTPProxy != nil {
		u := *p.HTTPProxy
		u.User = nil
		c.HTTPProxy = u.String()
	}
	if o.PACURL != "" {
		// A URL that does not parse is kept redacted: it may hold a password.
		c.PACURL = RedactURL(o.PACURL)
		if u, err := url.Parse(o.PACURL); err == nil {
			u.User = nil
			c.PACURL = u.String()
		}
	}
	proxySetupConfig(&c, o.ProxySetup)
	return c
}

func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return strings.ReplaceAll(s, "/", "_")
	}
	return u.Hostname()
}
