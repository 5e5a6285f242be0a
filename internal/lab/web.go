//go:build linux

package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// Web server limits: the lab's clients are rtcprobe and nginx, which finish
// in well under a second; the bounds only stop a stuck client from holding a
// goroutine past the test.
const (
	webReadHeaderTimeout = 5 * time.Second
	// wsHold is how long an accepted WebSocket is kept open (echoing) before
	// the server closes it; longer than any probe waits on it.
	wsHold = 30 * time.Second
)

// startWeb runs the TLS + WebSocket server standing in for the TRTC schedule,
// signalling and log hosts, in the cloud namespace (socket created there,
// served from this process).
func (l *Lab) startWeb() ([]listener, error) {
	names, err := trtcNames()
	if err != nil {
		return nil, err
	}
	byIssuer := map[string][]string{}
	for _, n := range names {
		byIssuer[issuerFor(n)] = append(byIssuer[issuerFor(n)], n, "*."+n)
	}
	var certs []tls.Certificate
	for i, issuer := range []string{mainlandIssuer, intlIssuer} {
		certFile, keyFile, err := l.issuers[issuer].issue(l.Dir, fmt.Sprintf("web%d", i), byIssuer[issuer], []string{WebAddr})
		if err != nil {
			return nil, err
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		certs = append(certs, cert)
	}
	var ln net.Listener
	if err := l.InNS(Cloud, func() error {
		var err error
		ln, err = net.Listen("tcp", WebAddr+":443")
		return err
	}); err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(webHandler),
		ReadHeaderTimeout: webReadHeaderTimeout,
		TLSConfig:         &tls.Config{Certificates: certs, NextProtos: []string{"http/1.1"}},
	}
	go srv.ServeTLS(ln, "", "")
	l.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	})
	return nil, nil
}

// closeHeader asks the server to close a WebSocket right after the upgrade,
// so the lab's curl check ends at once instead of at its timeout.
const closeHeader = "X-Lab-Close"

// webHandler answers like the TRTC hosts as far as rtcprobe can tell: a
// WebSocket upgrade gets 101 (then echo), anything else a small 200.
func webHandler(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		if r.Header.Get(closeHeader) != "" {
			return // CloseNow: curl would never answer a close frame
		}
		ctx, cancel := context.WithTimeout(r.Context(), wsHold)
		defer cancel()
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, msg); err != nil {
				return
			}
		}
	}
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"lab":"rtcprobe","host":"` + jsonSafe(r.Host) + `"}`))
}

func jsonSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 {
			return -1
		}
		return r
	}, s)
}
