//go:build windows

package probe

import (
	"strings"

	"golang.org/x/sys/windows/registry"
)

// searchDomainsOS reads the DNS suffix search list and the primary
// domain from the TCP/IP parameters (what the resolver appends to "wpad").
func searchDomainsOS() []string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\Tcpip\Parameters`, registry.QUERY_VALUE)
	if err != nil {
		return nil
	}
	defer k.Close()
	var out []string
	for _, name := range []string{"SearchList", "Domain", "DhcpDomain"} {
		if v, _, err := k.GetStringValue(name); err == nil {
			out = append(out, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })...)
		}
	}
	return out
}
