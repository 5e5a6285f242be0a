// Package webrtc is the lab's ground truth for media paths: a real WebRTC
// peer (pion/webrtc) set up the way the TRTC Web SDK sets up the browser's
// RTCPeerConnection (max-bundle, rtcp-mux required, no ICE-TCP, the TURN
// server and iceTransportPolicy of the proxy option), restricted to one
// media path at a time. A path counts as working only when a message
// round-trips over a data channel (ICE, DTLS and SCTP over the selected
// pair), which is what media needs and more than a STUN answer shows.
//
// Two roles: Answer stands in for the TRTC media server (host candidates on
// one UDP media port only) and Offer for the browser. They exchange SDP
// through files in a shared directory, so they can run as separate
// processes in different network namespaces (cmd/rtcpeer).
package webrtc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/pion/ice/v4"
	pion "github.com/pion/webrtc/v4"
	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/result"
)

// ConnectTimeout bounds one offer attempt (gathering, signalling, ICE,
// DTLS, SCTP and one data-channel round trip). libwebrtc marks a pair
// unwritable after about 5 s of unanswered pings; everything in the lab
// answers in milliseconds, so 8 s without a round trip is a failed path.
const ConnectTimeout = 8 * time.Second

// AnswerTimeout bounds the answering peer: waiting for the offer plus one
// attempt, with room for the offerer's start-up.
const AnswerTimeout = 20 * time.Second

// Sentinel errors.
var (
	// ErrConfig is a bad role configuration (flags).
	ErrConfig = errors.New("bad configuration")
	// ErrTURNPortRefused: libwebrtc never uses a TURN server on this port.
	ErrTURNPortRefused = errors.New("the browser refuses this TURN port")
	// ErrNotConnected: no data-channel round trip within the wait.
	ErrNotConnected = errors.New("no data-channel round trip")
)

// Result is the outcome of one offer attempt, printed as one JSON line.
type Result struct {
	Path      result.PathName `json:"path"`
	Connected bool            `json:"connected"`
	// Local and Remote are the candidate types of the selected pair
	// ("host", "srflx", "prflx", "relay"), empty when none was selected.
	Local  string  `json:"local,omitempty"`
	Remote string  `json:"remote,omitempty"`
	Ms     float64 `json:"ms"`
	Error  string  `json:"error,omitempty"`
}

// OfferConfig configures the browser stand-in.
type OfferConfig struct {
	// Path is one of result.PathOrder.
	Path result.PathName
	// TURN is the TURN server as host:port (turn-* paths).
	TURN     string
	Username string
	Password probe.Secret
	// HTTPProxy (http://host:port) carries TURN over TCP and TLS, as
	// Chromium's proxy-resolving sockets do; UDP never uses it.
	HTTPProxy string
	// Dir is the signalling directory shared with the answerer.
	Dir string
	// Loopback allows loopback host candidates (unit tests only).
	Loopback bool
	// Timeout overrides ConnectTimeout when > 0.
	Timeout time.Duration
}

// AnswerConfig configures the media-server stand-in.
type AnswerConfig struct {
	// IP is the only address to offer host candidates on ("" means all).
	IP string
	// Port is the UDP media port the peer listens on.
	Port     int
	Dir      string
	Loopback bool
	// Timeout overrides AnswerTimeout when > 0.
	Timeout time.Duration
}

// AllowedTURNPort is libwebrtc's TurnPort::AllowedTurnPort: TURN servers on
// ports 53, 80, 443 and 1024 and above only.
func AllowedTURNPort(port int) bool {
	return port == 53 || port == 80 || port == 443 || port >= 1024
}

// iceServerURL is the TURN URL the browser would get for the path.
func iceServerURL(path result.PathName, hostport string) (string, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil || host == "" || port <= 0 || port > 65535 {
		return "", fmt.Errorf("%w: --turn %q: want host:port", ErrConfig, hostport)
	}
	if !AllowedTURNPort(port) {
		return "", fmt.Errorf("%w: %d (libwebrtc: \"Attempt to use TURN to connect to port %d\")", ErrTURNPortRefused, port, port)
	}
	switch path {
	case result.PathTURNUDP:
		return "turn:" + hostport + "?transport=udp", nil
	case result.PathTURNTCP:
		return "turn:" + hostport + "?transport=tcp", nil
	case result.PathTURNTLS:
		return "turns:" + hostport + "?transport=tcp", nil
	}
	return "", fmt.Errorf("%w: path %q has no TURN server", ErrConfig, path)
}

// settingEngine is shared by both roles: UDP host candidates only (the SDK
// disables ICE-TCP), no mDNS names (the lab has no multicast).
func settingEngine(loopback bool) pion.SettingEngine {
	var se pion.SettingEngine
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(loopback)
	return se
}

// sdkConfig is the RTCPeerConnection configuration of the TRTC Web SDK.
func sdkConfig(servers []pion.ICEServer, policy pion.ICETransportPolicy) pion.Configuration {
	return pion.Configuration{
		ICEServers:         servers,
		ICETransportPolicy: policy,
		BundlePolicy:       pion.BundlePolicyMaxBundle,
		RTCPMuxPolicy:      pion.RTCPMuxPolicyRequire,
	}
}

// nonce is the data-channel message; a random one so a stale answer from an
// earlier attempt can never count.
func nonce() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// gather sets the local description and waits (bounded by ctx) until every
// candidate is in it: file signalling has no trickle.
func gather(ctx context.Context, pc *pion.PeerConnection, sdp pion.SessionDescription) error {
	done := pion.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(sdp); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("candidate gathering did not finish: %w", ctx.Err())
	}
}

// closeTimeout bounds closing a peer connection. pion's Close waits for
// candidate gathering, and a TURN/TCP dial into a firewall that drops SYNs
// has no deadline of its own (the kernel retries for minutes): past this
// wait the close goes on in the background and the result stands.
const closeTimeout = time.Second

// closeBounded closes pc, waiting at most closeTimeout.
func closeBounded(pc *pion.PeerConnection) {
	done := make(chan struct{})
	go func() {
		pc.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeTimeout):
	}
}
