package webrtc

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	pion "github.com/pion/webrtc/v4"
	"github.com/rtcprobe/rtcprobe/result"
)

// Offer runs the browser stand-in once: offer, wait for the answer, and
// count success only when a data-channel message comes back. A path that
// does not connect is a Result, not an error.
func Offer(ctx context.Context, cfg OfferConfig) Result {
	start := time.Now()
	res := Result{Path: cfg.Path}
	err := offer(ctx, cfg, &res)
	res.Ms = result.MS(time.Since(start))
	if err != nil {
		res.Error = err.Error()
	}
	return res
}

// offerConfig turns the path into the ICE servers, transport policy and
// setting engine the browser would have.
func offerConfig(cfg OfferConfig) (pion.Configuration, pion.SettingEngine, error) {
	se := settingEngine(cfg.Loopback)
	if !slices.Contains(result.PathOrder, cfg.Path) {
		return pion.Configuration{}, se, fmt.Errorf("%w: --path %q: want one of %v", ErrConfig, cfg.Path, result.PathOrder)
	}
	if cfg.Path == result.PathDirectUDP {
		return sdkConfig(nil, pion.ICETransportPolicyAll), se, nil
	}
	url, err := iceServerURL(cfg.Path, cfg.TURN)
	if err != nil {
		return pion.Configuration{}, se, err
	}
	if cfg.HTTPProxy != "" && cfg.Path != result.PathTURNUDP {
		d, err := newConnectDialer(cfg.HTTPProxy, cfg.Path == result.PathTURNTLS)
		if err != nil {
			return pion.Configuration{}, se, err
		}
		se.SetICEProxyDialer(d)
	}
	servers := []pion.ICEServer{{URLs: []string{url}, Username: cfg.Username, Credential: cfg.Password.Reveal()}}
	return sdkConfig(servers, pion.ICETransportPolicyRelay), se, nil
}

func offer(ctx context.Context, cfg OfferConfig, res *Result) error {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = ConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conf, se, err := offerConfig(cfg)
	if err != nil {
		return err
	}
	pc, err := pion.NewAPI(pion.WithSettingEngine(se)).NewPeerConnection(conf)
	if err != nil {
		return err
	}
	defer closeBounded(pc)
	dc, err := pc.CreateDataChannel("rtcpeer", nil)
	if err != nil {
		return err
	}
	msg := nonce()
	echoed := make(chan struct{}, 1)
	dc.OnOpen(func() { dc.SendText(msg) })
	dc.OnMessage(func(m pion.DataChannelMessage) {
		if string(m.Data) == msg {
			select {
			case echoed <- struct{}{}:
			default:
			}
		}
	})
	sdp, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := gather(ctx, pc, sdp); err != nil {
		return err
	}
	local := pc.LocalDescription()
	if err := writeSDP(filepath.Join(cfg.Dir, offerFile), local); err != nil {
		return err
	}
	if !strings.Contains(local.SDP, "a=candidate:") {
		// Nothing to pair with: the browser fails the same way.
		return fmt.Errorf("%w: no candidate gathered (TURN server unreachable, refused by the proxy or rejected the credentials)", ErrNotConnected)
	}
	answer, err := readSDP(ctx, filepath.Join(cfg.Dir, answerFile))
	if err != nil {
		return err
	}
	if err := pc.SetRemoteDescription(answer); err != nil {
		return err
	}
	select {
	case <-echoed:
	case <-ctx.Done():
		return fmt.Errorf("%w within %v (ICE %s, peer connection %s)", ErrNotConnected, timeout, pc.ICEConnectionState(), pc.ConnectionState())
	}
	res.Connected = true
	res.Local, res.Remote = selectedPair(pc)
	return nil
}

// selectedPair returns the candidate types of the selected pair.
func selectedPair(pc *pion.PeerConnection) (local, remote string) {
	sctp := pc.SCTP()
	if sctp == nil || sctp.Transport() == nil {
		return "", ""
	}
	pair, err := sctp.Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		return "", ""
	}
	return pair.Local.Typ.String(), pair.Remote.Typ.String()
}
