package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/pac"
	"github.com/rtcprobe/rtcprobe/result"
)

// PAC bounds (the timers are Timers.PACFetch, PACEval and WPADLookup).
const (
	// pacPhaseShare is the percentage of the run's budget the PAC phase
	// (WPAD, fetch, every evaluation) may use.
	pacPhaseShare = 40
)

// prepareRoutes fixes every target's route before the probes start. With a
// PAC (or WPAD) it fetches the script once (probe pac/fetch), runs it for
// each target's URL (probes <target>/pac) and falls back as Chromium does
// when it cannot: to the manual rules, else DIRECT; with ProxyPacMandatory
// nothing goes out.
func (r *run) prepareRoutes(ctx context.Context) {
	s := r.plan.Proxy
	if s == nil {
		return
	}
	r.rt = &routing{routes: map[string]Route{}}
	// Finding, fetching and running the PAC may take at most
	// pacPhaseShare of the budget, so the probes keep the rest: an
	// evaluation cut short is reported (pac-timeout) and goes DIRECT.
	ctx, cancel := context.WithTimeout(ctx, r.plan.budget()*pacPhaseShare/100)
	defer cancel()
	var script *pac.Script
	var failed result.Reason
	if s.AutoDetect || s.PACURL != "" {
		script, failed = r.loadPAC(ctx, s)
	}
	for _, t := range r.plan.Web {
		u, err := url.Parse(t.URL)
		if err != nil || u.Hostname() == "" {
			continue
		}
		r.rt.routes[t.ID] = r.routeURL(ctx, s, script, failed, pacURLFor(u), t.ID, t.Role, t.Region)
	}
	for _, t := range r.plan.TURN {
		if t.Transport == "udp" {
			continue // UDP never goes through a proxy
		}
		// Chromium asks the proxy resolver about TURN over TCP/TLS as an
		// https:// URL to the server's host and port.
		u := &url.URL{Scheme: "https", Host: JoinHostPort(t.Host, t.Port), Path: "/"}
		r.rt.routes[t.ID.String()] = r.routeURL(ctx, s, script, failed, u, t.ID.String(), "turn", "")
	}
}

// pacURLFor is the URL as Chromium hands it to the PAC: no user info,
// and for https:// and wss:// no path or query (SanitizeUrl in
// configured_proxy_resolution_service.cc).
func pacURLFor(u *url.URL) *url.URL {
	c := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
	if u.Scheme == "http" || u.Scheme == "ws" {
		c.Path, c.RawQuery = u.Path, u.RawQuery
	}
	return c
}

// routeURL decides one URL's route and records its <id>/pac probe when a
// script ran (or was mandatory and failed).
func (r *run) routeURL(ctx context.Context, s *ProxySetup, script *pac.Script, failed result.Reason, u *url.URL, id, role, region string) Route {
	if failed == "" && script == nil {
		return s.manualRoute(u)
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = 443
	}
	p := result.Probe{ID: result.WebID(id, result.StepPAC), Kind: result.KindPAC, Role: role, Region: region, Target: u.String(), Port: port}
	if script == nil {
		if s.PACMandatory {
			p.Status, p.Reason, p.Step = result.StatusFailed, result.ReasonPACMandatoryFailed, "pac"
			p.Error = "ProxyPacMandatory is set and the PAC failed (" + string(failed) + "): the browser sends nothing (ERR_MANDATORY_PROXY_CONFIGURATION_FAILED)"
			r.finish(p)
			return Route{Blocked: true, By: "pac-failed " + string(failed), Why: p.Error}
		}
		rt := s.manualRoute(u)
		rt.By = "pac-failed " + string(failed) + ", fallback " + rt.By
		return rt
	}
	start := r.begin(p)
	res, usedEx, err := script.FindProxy(ctx, u.String(), u.Hostname(), pac.Options{Timeout: r.plan.Timing().PACEval, Env: r.pacEnv()})
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	by := "pac " + s.pacName()
	if err != nil || usedEx {
		if usedEx {
			err = errors.New("the script defines only FindProxyForURLEx, which Chrome does not call")
		}
		p.Status, p.Reason, p.Step, p.Error = result.StatusError, result.Reason(pac.KindOf(err)), "pac", pac.OneLine(err.Error(), 300)
		if usedEx {
			p.Reason = result.ReasonPACExOnly
		}
		if s.PACMandatory {
			p.Status = result.StatusFailed
			r.finish(p)
			return Route{Blocked: true, By: "pac-failed " + string(p.Reason), Why: p.Error}
		}
		// Chromium goes DIRECT when FindProxyForURL fails at run time.
		p.Details = map[result.DetailKey]string{result.DetailRoute: "DIRECT", result.DetailRouteBy: "pac-failed " + string(p.Reason)}
		r.finish(p)
		return Route{Hops: directRoute, By: "pac-failed " + string(p.Reason)}
	}
	hops, skipped := pac.ParseResult(res)
	shown := pac.OneLine(res, 300)
	p.Status = result.StatusOK
	p.Details = map[result.DetailKey]string{result.DetailPacResult: shown, result.DetailRoute: hopsText(hops), result.DetailRouteBy: by}
	if len(skipped) > 0 {
		p.Details[result.DetailPacSkipped] = strings.Join(skipped, "; ")
	}
	r.finish(p)
	return Route{Hops: hops, By: by, PACResult: shown}
}

// hopsText is the list of hops as a PAC answer.
func hopsText(hops []pac.Hop) string {
	parts := make([]string, len(hops))
	for i, h := range hops {
		parts[i] = h.String()
	}
	return strings.Join(parts, "; ")
}

// pacName is the script's URL for routeBy ("wpad" before it is found).
func (s *ProxySetup) pacName() string {
	if s.foundPAC != "" {
		return s.foundPAC
	}
	return redactURL(s.PACURL)
}

// pacEnv gives the helpers the run's resolver and clock.
func (r *run) pacEnv() pac.Env {
	return pac.Env{
		Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return r.env.resolver().LookupNetIP(ctx, "ip", host)
		},
		Now: r.env.Now,
	}
}

// loadPAC finds (WPAD), fetches and compiles the script, recording
// pac/fetch. It returns the script, or "" and why it failed.
func (r *run) loadPAC(ctx context.Context, s *ProxySetup) (*pac.Script, result.Reason) {
	p := result.Probe{ID: result.PACFetchID, Kind: result.KindPAC, Role: "pac", Target: redactURL(s.PACURL)}
	start := r.begin(p)
	fail := func(status result.Status, reason result.Reason, step string, err error) (*pac.Script, result.Reason) {
		p.RTTMs = result.RTT(r.env.now().Sub(start))
		p.Status, p.Reason, p.Step, p.Error = status, reason, step, pac.OneLine(err.Error(), 300)
		r.finish(p)
		return nil, reason
	}
	var src []byte
	var err error
	var tried []string
	if s.AutoDetect {
		var found string
		found, src, tried, err = r.wpad(ctx)
		p.Details = map[result.DetailKey]string{result.DetailWpadTried: strings.Join(tried, " ")}
		if err == nil {
			s.foundPAC, p.Target = found, found
		}
	}
	if (!s.AutoDetect || err != nil) && s.PACURL != "" {
		src, err = r.fetchPAC(ctx, s.PACURL)
		p.Target = redactURL(s.PACURL)
	}
	if err != nil {
		reason := result.ReasonPACFetchFailed
		if s.AutoDetect && s.PACURL == "" {
			reason = result.ReasonWPADNotFound
		}
		status := result.StatusFailed
		if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
			status = result.StatusBlocked
		}
		return fail(status, reason, "fetch", err)
	}
	script, err := pac.Compile(string(src))
	if err != nil {
		return fail(result.StatusError, result.Reason(pac.KindOf(err)), "compile", err)
	}
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	p.Status = result.StatusOK
	p.Details = mergeDetails(p.Details, map[result.DetailKey]string{result.DetailBytes: strconv.Itoa(len(src))})
	r.finish(p)
	return script, ""
}

// fetchPAC reads the script from an http(s) URL (directly, never through
// a proxy, as Chromium fetches PAC files), a file:// URL or a path,
// bounded in time and size.
func (r *run) fetchPAC(ctx context.Context, loc string) ([]byte, error) {
	u, err := url.Parse(loc)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // C:\ on Windows
		return readLimited(os.Open(loc))
	}
	switch u.Scheme {
	case "file":
		path := u.Path
		if len(path) > 2 && path[0] == '/' && path[2] == ':' {
			path = path[1:] // file:///C:/proxy.pac on Windows
		}
		return readLimited(os.Open(path))
	case "http", "https":
	default:
		return nil, fmt.Errorf("PAC URL scheme %q is not supported (http, https, file)", u.Scheme)
	}
	ctx, cancel := context.WithTimeout(ctx, r.plan.Timing().PACFetch)
	defer cancel()
	tr := &http.Transport{
		Proxy:             nil,
		DialContext:       r.dialResolved,
		TLSClientConfig:   &tls.Config{RootCAs: r.env.RootCAs},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "rtcprobe")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the probe's target already
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("HTTP %d fetching the PAC script", resp.StatusCode)
	}
	return readLimited(resp.Body, nil)
}

// readLimited reads at most pac.MaxScriptBytes (Chromium's limit too).
func readLimited(rc io.ReadCloser, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, pac.MaxScriptBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > pac.MaxScriptBytes {
		return nil, fmt.Errorf("the PAC script is over %d bytes", pac.MaxScriptBytes)
	}
	return b, nil
}

// dialResolved resolves addr's host with the run's resolver (the one the
// browser uses) and connects to its addresses in turn.
func (r *run) dialResolved(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, perr := netip.ParseAddr(host); perr == nil {
		return r.env.dial(ctx, network, addr)
	}
	ips, err := r.env.resolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	var last error
	for _, ip := range ips {
		c, err := r.env.dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	if last == nil {
		last = fmt.Errorf("%s has no address", host)
	}
	return nil, last
}
