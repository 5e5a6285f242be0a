package probe

import (
	"context"
	"net"

	"github.com/rtcprobe/rtcprobe/result"
)

// The vendor's example coturn configuration (docs/facts.md, Solution 2)
// ships user=turn:turn; deployments that copy it are open relays.
const (
	defaultTURNUser = "turn"
	defaultTURNPass = "turn"
)

// auditTarget reports whether t is the one target of its server (host and
// port: turn: and turns: on another port may be another service) that runs
// the audits: the UDP one if the server has it, else the first.
// Auditing once per server keeps the traffic low.
func (r *run) auditTarget(t TURNTarget) bool {
	var chosen *TURNTarget
	for i := range r.plan.TURN {
		c := &r.plan.TURN[i]
		if c.Host != t.Host || c.Port != t.Port {
			continue
		}
		if chosen == nil || (c.Transport == "udp" && chosen.Transport != "udp") {
			chosen = c
		}
	}
	return chosen != nil && chosen.ID == t.ID
}

// turnAudits records the deployment audits of issue 6 on an allocated
// session: relays to loopback and private addresses (permission only, no
// data), and whether the example credentials are accepted.
func (r *run) turnAudits(ctx context.Context, t TURNTarget, s *turnSession) {
	r.auditPermission(ctx, t, s, result.AuditRelayLoopback, auditLoopback)
	r.auditPermission(ctx, t, s, result.AuditRelayPrivate, auditPrivate)
	if t.Username != defaultTURNUser || t.Credential.Reveal() != defaultTURNPass {
		r.auditDefaultCredentials(ctx, t)
	}
}

func auditProbe(t TURNTarget, name result.AuditName) result.Probe {
	return result.Probe{ID: t.ID.Audit(name), Kind: result.KindTURN, Role: "turn", Target: t.URL,
		Port: t.Port, Transport: t.Transport, After: t.ID, Details: map[result.DetailKey]string{}}
}

// auditPermission asks for a permission to peer. Granted (ok) is an
// exposure: the relay would carry traffic into that network.
func (r *run) auditPermission(ctx context.Context, t TURNTarget, s *turnSession, name result.AuditName, peer *net.UDPAddr) {
	p := auditProbe(t, name)
	p.Address = s.server.Addr().String()
	p.Details[result.DetailPeer] = peer.String()
	start := r.begin(p)
	err := s.createPermission(ctx, peer)
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	if err == nil {
		p.Status, p.Details[result.DetailExposure] = result.StatusOK, "true"
	} else {
		f := permissionFailure(err)
		p.Status, p.Reason, p.Step, p.Error = f.status, f.reason, f.step, scrub(err.Error(), t.Credential)
	}
	r.finish(p)
}

// auditDefaultCredentials tries an allocation with turn/turn.
func (r *run) auditDefaultCredentials(ctx context.Context, t TURNTarget) {
	p := auditProbe(t, result.AuditDefaultCredentials)
	start := r.begin(p)
	s, f := r.turnAllocate(ctx, t, defaultTURNUser, defaultTURNPass)
	if s != nil {
		p.Address = s.server.Addr().String()
		s.close()
	}
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	if f == nil {
		p.Status, p.Details[result.DetailExposure] = result.StatusOK, "true"
	} else {
		p.Status, p.Reason, p.Step, p.Error = f.status, f.reason, f.step, scrub(f.err.Error(), t.Credential)
	}
	r.finish(p)
}
