package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// resolvConf is where the search domains are read on Unix.
var resolvConf = "/etc/resolv.conf"

// maxWPADCandidates bounds the names tried (a long search list must not
// eat the run's budget).
const maxWPADCandidates = 8

// wpadCandidates are the wpad.<domain> names to try for the search
// domains, most specific first, walking up each domain while at least two
// labels remain (wpad.a.corp.example, wpad.corp.example, never
// wpad.example: a name outside the company could answer). This is
// WinHTTP's "devolution"; Chromium itself asks for the bare name "wpad"
// and lets the resolver's search list do the walking, which reaches the
// same servers.
func wpadCandidates(domains []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range domains {
		labels := strings.Split(strings.Trim(strings.ToLower(d), "."), ".")
		for i := 0; len(labels)-i >= 2; i++ {
			name := "wpad." + strings.Join(labels[i:], ".")
			if !seen[name] && len(out) < maxWPADCandidates {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// searchDomains reads the "search" and "domain" lines of resolv.conf
// (on Windows the adapter DNS suffixes; see searchDomainsOS).
func searchDomains() []string {
	if d := searchDomainsOS(); len(d) > 0 {
		return d
	}
	f, err := os.Open(resolvConf)
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseSearchDomains(bufio.NewScanner(f))
}

func parseSearchDomains(sc *bufio.Scanner) []string {
	var out []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && (f[0] == "search" || f[0] == "domain") {
			out = append(out, f[1:]...)
		}
	}
	return out
}

// wpad looks for a WPAD server: each candidate name that resolves gets a
// fetch of http://NAME/wpad.dat; the first script wins.
func (r *run) wpad(ctx context.Context) (found string, src []byte, tried []string, err error) {
	names := wpadCandidates(r.searchDomains())
	if len(names) == 0 {
		return "", nil, nil, errors.New("auto-detect is on, but there is no DNS search domain to find wpad.<domain> in")
	}
	var last error
	for _, name := range names {
		tried = append(tried, name)
		lctx, cancel := context.WithTimeout(ctx, r.plan.Timing().WPADLookup)
		_, lerr := r.env.resolver().LookupNetIP(lctx, "ip", name)
		cancel()
		if lerr != nil {
			last = fmt.Errorf("%s does not resolve", name)
			continue
		}
		u := "http://" + name + "/wpad.dat"
		b, ferr := r.fetchPAC(ctx, u)
		if ferr == nil {
			return u, b, tried, nil
		}
		last = fmt.Errorf("%s: %w", u, ferr)
	}
	return "", nil, tried, fmt.Errorf("WPAD found no script (tried %s; last: %v)", strings.Join(names, ", "), last)
}

// searchDomains is the Env's list when set (tests, labs), else the
// system's.
func (r *run) searchDomains() []string {
	if r.env.SearchDomains != nil {
		return r.env.SearchDomains
	}
	return searchDomains()
}
