package webrtc

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	pion "github.com/pion/webrtc/v4"
)

// lingerAfterEcho keeps the answerer up briefly after its echo is queued,
// so closing the peer connection does not drop it on the way out.
const lingerAfterEcho = 300 * time.Millisecond

// Answer runs the media-server stand-in for one offer: host candidates on
// cfg.Port (UDP) only, echoing every data-channel message. It returns after
// the first echo, or with an error when ctx or AnswerTimeout ends first.
func Answer(ctx context.Context, cfg AnswerConfig) error {
	if cfg.Port <= 0 || cfg.Port > 65535 {
		return fmt.Errorf("%w: --port %d: want a UDP port 1-65535", ErrConfig, cfg.Port)
	}
	var ip net.IP
	if cfg.IP != "" {
		if ip = net.ParseIP(cfg.IP); ip == nil {
			return fmt.Errorf("%w: --ip %q is not an IP address", ErrConfig, cfg.IP)
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = AnswerTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	se := settingEngine(cfg.Loopback)
	if err := se.SetEphemeralUDPPortRange(uint16(cfg.Port), uint16(cfg.Port)); err != nil {
		return err
	}
	if ip != nil {
		se.SetIPFilter(func(a net.IP) bool { return a.Equal(ip) })
	}
	pc, err := pion.NewAPI(pion.WithSettingEngine(se)).NewPeerConnection(sdkConfig(nil, pion.ICETransportPolicyAll))
	if err != nil {
		return err
	}
	defer closeBounded(pc)
	echoed := make(chan struct{}, 1)
	pc.OnDataChannel(func(dc *pion.DataChannel) {
		dc.OnMessage(func(m pion.DataChannelMessage) {
			if dc.SendText(string(m.Data)) == nil {
				select {
				case echoed <- struct{}{}:
				default:
				}
			}
		})
	})
	return answerOnce(ctx, pc, cfg.Dir, echoed)
}

// answerOnce does the SDP exchange and waits for the first echo.
func answerOnce(ctx context.Context, pc *pion.PeerConnection, dir string, echoed <-chan struct{}) error {
	offer, err := readSDP(ctx, filepath.Join(dir, offerFile))
	if err != nil {
		return err
	}
	if err := pc.SetRemoteDescription(offer); err != nil {
		return err
	}
	sdp, err := pc.CreateAnswer(nil)
	if err != nil {
		return err
	}
	if err := gather(ctx, pc, sdp); err != nil {
		return err
	}
	if err := writeSDP(filepath.Join(dir, answerFile), pc.LocalDescription()); err != nil {
		return err
	}
	select {
	case <-echoed:
		// Let the echo leave before Close tears the association down.
		time.Sleep(lingerAfterEcho)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w (ICE %s)", ErrNotConnected, pc.ICEConnectionState())
	}
}
