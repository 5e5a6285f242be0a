package probe

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A proxy that echoes the Proxy-Authorization it was sent (token or
// decoded password) in its reason phrase must not put the password into
// the error, which goes into the report.
func TestConnectRefusalHidesProxyPassword(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			req, err := http.ReadRequest(bufio.NewReader(c))
			if err == nil {
				auth := req.Header.Get("Proxy-Authorization")
				_, pw, _ := strings.Cut(decodeBasic(auth), ":")
				c.Write([]byte("HTTP/1.1 403 denied " + auth + " " + pw + "\r\nContent-Length: 0\r\n\r\n"))
			}
			c.Close()
		}
	}()
	proxy, _ := url.Parse("http://bob:" + secret + "@" + ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, code, err := connectThrough(ctx, conn, proxy, "example.com:443")
	if code != 403 || !errors.Is(err, ErrProxyRefused) {
		t.Fatalf("code %d, err %v; want 403 and ErrProxyRefused", code, err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "Ym9i") {
		t.Errorf("the error shows the proxy credentials: %v", err)
	}
	if !strings.Contains(err.Error(), "denied") {
		t.Errorf("the error lost the reason phrase: %v", err)
	}
}

// decodeBasic returns "user:password" from a Basic Proxy-Authorization.
func decodeBasic(h string) string {
	r := &http.Request{Header: http.Header{"Authorization": {h}}}
	u, p, _ := r.BasicAuth()
	return u + ":" + p
}
