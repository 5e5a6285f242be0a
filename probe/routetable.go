package probe

import (
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"net/netip"
	"strings"
)

// routeGateway parses Linux's /proc/net/route text (addresses as
// little-endian hex) and returns the gateway of the longest-prefix route
// to dst on ifname: an address, "on-link" for a directly connected
// network, or "" when no route matches or dst is not IPv4.
func routeGateway(table string, dst netip.Addr, ifname string) string {
	if !dst.Is4() {
		return ""
	}
	d := dst.As4()
	dv := binary.LittleEndian.Uint32(d[:])
	best, gw := -1, ""
	for i, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 8 || (ifname != "" && f[0] != ifname) {
			continue
		}
		dest, ok1 := hexLE(f[1])
		gate, ok2 := hexLE(f[2])
		mask, ok3 := hexLE(f[7])
		if !ok1 || !ok2 || !ok3 || dv&mask != dest {
			continue
		}
		if n := bits.OnesCount32(mask); n > best {
			best = n
			if gate == 0 {
				gw = "on-link"
			} else {
				var b [4]byte
				binary.LittleEndian.PutUint32(b[:], gate)
				gw = netip.AddrFrom4(b).String()
			}
		}
	}
	return gw
}

func hexLE(s string) (uint32, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}
