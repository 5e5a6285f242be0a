package main

import (
	"os"
	"os/user"

	"github.com/rtcprobe/rtcprobe/probe"
)

// privateNames lists the names --redact removes that a report does not
// carry as such: the machine name, the OS user (login and full name), the
// HTTP proxy's user and the TURN usernames of this run. They can still show
// up in its text (an error naming a path under the home directory, a
// Kerberos principal, a proxy's message), so report.Redact removes them
// wherever they occur.
func privateNames(plan *probe.Plan) []string {
	var out []string
	if h, err := os.Hostname(); err == nil {
		out = append(out, h)
	}
	if u, err := user.Current(); err == nil {
		out = append(out, u.Username, u.Name)
	}
	out = append(out, os.Getenv("USER"), os.Getenv("USERNAME"), os.Getenv("LOGNAME"))
	if plan == nil {
		return out
	}
	if p := plan.HTTPProxy; p != nil && p.User != nil {
		out = append(out, p.User.Username())
	}
	for _, t := range plan.TURN {
		out = append(out, t.Username)
	}
	return out
}
