//go:build darwin

package probe

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// maxProcs bounds the processes looked at.
const maxProcs = 8192

// processNames lists running executables' names (sysctl kern.proc.all,
// no cgo). macOS tunnels are all utun*, so on a Mac the process is what
// names the agent.
func processNames() []string {
	procs, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil
	}
	var out []string
	for i := range procs {
		if i >= maxProcs {
			break
		}
		c := procs[i].Proc.P_comm[:]
		if n := bytes.IndexByte(c, 0); n >= 0 {
			c = c[:n]
		}
		out = append(out, string(c))
	}
	return out
}
