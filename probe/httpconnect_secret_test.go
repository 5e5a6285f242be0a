package probe

import (
	"bufio"
	"bytes"
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
	_, code, _, err := connectThrough(ctx, &Env{}, conn, proxy, "example.com:443")
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

// A proxy whose answer to CONNECT never ends (one endless header) is cut
// off at maxConnectAnswer, at once, instead of filling memory until the
// budget runs out; so is a refusal with an endless body.
func TestConnectAnswerBounded(t *testing.T) {
	for _, head := range []string{
		"HTTP/1.1 200 OK\r\nX-Big: ",
		"HTTP/1.1 403 no\r\nContent-Length: 100000000\r\n\r\n",
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			c.Read(make([]byte, 4096))
			c.Write([]byte(head))
			chunk := bytes.Repeat([]byte("X"), 64<<10)
			for range 128 { // 8 MiB, then silence: the reader must stop first
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
			time.Sleep(5 * time.Second)
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		proxy, _ := url.Parse("http://" + ln.Addr().String())
		start := time.Now()
		_, _, _, err = connectThrough(ctx, &Env{}, conn, proxy, "example.com:443")
		cancel()
		ln.Close()
		if err == nil || errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Errorf("%q...: err %v after %v; want a quick refusal", head, err, time.Since(start))
		}
	}
}
