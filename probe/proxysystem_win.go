package probe

import (
	"fmt"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// winProxyValues are the Windows Internet Settings values; apply turns
// them into a SystemProxy. It lives outside the windows file so that its
// test runs everywhere.
type winProxyValues struct {
	enable, hasEnable bool
	server            string
	override          string
	autoConfig        string
	connSettings      []byte
}

// autoDetectFlag is the "Automatically detect settings" bit of the
// DefaultConnectionSettings blob's flags byte (offset 8).
const autoDetectFlag = 0x08

func (w winProxyValues) apply(s SystemProxy) SystemProxy {
	src := s.Source
	add := func(name, v string) {
		s.Settings = append(s.Settings, result.ProxySetting{Name: name, Value: v, Source: src})
	}
	if w.hasEnable {
		add("ProxyEnable", fmt.Sprint(map[bool]int{false: 0, true: 1}[w.enable]))
	}
	if w.server != "" {
		add("ProxyServer", w.server)
	}
	if w.override != "" {
		add("ProxyOverride", w.override)
	}
	if w.autoConfig != "" {
		add("AutoConfigURL", w.autoConfig)
		s.PACURL = strings.TrimSpace(w.autoConfig)
	}
	if len(w.connSettings) > 8 {
		on := w.connSettings[8]&autoDetectFlag != 0
		add(`Connections\DefaultConnectionSettings[8]&0x08 (automatically detect settings)`, fmt.Sprint(on))
		s.AutoDetect = on
	}
	if w.enable {
		s.Server = strings.TrimSpace(w.server)
		s.Bypass = splitList(w.override)
	}
	return s
}
